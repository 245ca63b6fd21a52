// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.UblkIo;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUringConstants;
import io.jublk.uring.SubmissionEntry;
import io.jublk.uring.sys.FileCalls;

/**
 * A {@link FileTarget}'s requests through the queue's io_uring: one operation on the backing fd
 * each, resubmitted for the rest when a read or write comes back short. Reads and writes use the
 * request's own pages in the zero copy modes ({@code READ_FIXED}/{@code WRITE_FIXED}) and its
 * buffer, or the queue's own, in the copy modes. Each method returns {@link BlockTarget#ASYNC} once
 * the operation is queued, or the request's result when it could not be.
 */
final class FileRing {
    static final int PUNCH = FileCalls.FALLOC_FL_PUNCH_HOLE | FileCalls.FALLOC_FL_KEEP_SIZE;
    private static final int ZERO = FileCalls.FALLOC_FL_ZERO_RANGE | FileCalls.FALLOC_FL_KEEP_SIZE;
    private static final int RWF_DSYNC = 0x2;

    private static final int EINTR = Errno.EINTR.value();
    private static final int EAGAIN = Errno.EAGAIN.value();
    private static final int EOPNOTSUPP = Errno.EOPNOTSUPP.value();

    // What an in-flight operation is, in the target data of its user_data (low byte), with the
    // fallocate mode above it for write-zeroes fallbacks.
    private static final int K_READ = 1;
    private static final int K_WRITE = 2;
    private static final int K_WRITE_FUA = 3;
    private static final int K_FSYNC = 4;
    private static final int K_FALLOCATE = 5;
    private static final int K_ZERO_FILL = 6;

    private final int fd;
    private final int zeroFd;
    private final boolean blockDevice;
    private final FileMapping fileMap;   // null when not mapped
    private volatile boolean zeroRange;

    FileRing(FileBacking backing) {
        this.fd = backing.fd;
        this.zeroFd = backing.zeroFd;
        this.blockDevice = backing.blockDevice;
        this.fileMap = backing.mapping;
        this.zeroRange = backing.blockDevice || backing.punchHole;
    }

    int read(UblkIo io, FileQueue qs) {
        qs.done[io.tag()] = 0;
        return submitRw(io, qs, K_READ);
    }

    /** A write from the request's pages or, in the copy modes, from {@link FileQueue#buffer}: filled by now. */
    int write(UblkIo io, FileQueue qs) {
        qs.done[io.tag()] = 0;
        return submitRw(io, qs, io.fua() ? K_WRITE_FUA : K_WRITE);
    }

    int flush(UblkIo io) {
        try {
            io.queue().ring().nextSqe().fsync(fd, IoUringConstants.IORING_FSYNC_DATASYNC)
                    .userData(UblkQueue.targetUserData(io.tag(), K_FSYNC));
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return QueueHandler.ASYNC;
    }

    /** Punches a hole; only where the backing is known to punch holes. */
    int discard(UblkIo io) {
        return submitFallocate(io, PUNCH);
    }

    /**
     * Zeroes a range: ZERO_RANGE on a block device, and on a file when the request says no-unmap and
     * the file system has it; a punched hole otherwise. Only where the backing punches holes, or is a
     * block device.
     */
    int writeZeroes(UblkIo io) {
        return submitFallocate(io, blockDevice || (io.noUnmap() && zeroRange) ? ZERO : PUNCH);
    }

    private int submitRw(UblkIo io, FileQueue qs, int kind) {
        int tag = io.tag();
        int done = qs.done[tag];
        int index = io.bufferIndex();
        try {
            SubmissionEntry sqe = io.queue().ring().nextSqe();
            if (index >= 0) {
                // Zero copy: addr is the offset inside the request's registered pages.
                if (kind == K_READ) {
                    sqe.readFixed(fd, done, io.length() - done, io.offset() + done, index);
                } else {
                    sqe.writeFixed(fd, done, io.length() - done, io.offset() + done, index);
                }
            } else if (kind == K_READ) {
                sqe.read(fd, qs.buffer(io).address() + done, io.length() - done, io.offset() + done);
            } else {
                sqe.write(fd, qs.buffer(io).address() + done, io.length() - done, io.offset() + done);
            }
            if (kind == K_WRITE_FUA) {
                sqe.rwFlags(RWF_DSYNC);
            }
            sqe.userData(UblkQueue.targetUserData(tag, kind));
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return QueueHandler.ASYNC;
    }

    /** Zero copy: the request's pages are not ours to fill, so read the zeros from /dev/zero into them. */
    private int submitZeroFill(UblkIo io, int done) {
        try {
            io.queue().ring().nextSqe().readFixed(zeroFd, done, io.length() - done, 0, io.bufferIndex())
                    .userData(UblkQueue.targetUserData(io.tag(), K_ZERO_FILL));
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return QueueHandler.ASYNC;
    }

    private int submitFallocate(UblkIo io, int mode) {
        // Before and after the punch: the mapping must not be used for these pages meanwhile.
        mayHaveHoles(io);
        try {
            io.queue().ring().nextSqe().fallocate(fd, mode, io.offset(), io.length())
                    .userData(UblkQueue.targetUserData(io.tag(), K_FALLOCATE | ((long) mode << 8)));
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return QueueHandler.ASYNC;
    }

    /**
     * Completes, or carries on with, the request an operation of this ring was for.
     *
     * @param io the request
     * @param qs its queue's state
     * @param data the target data of the operation's user_data
     * @param res the operation's result
     */
    void complete(UblkIo io, FileQueue qs, long data, int res) {
        int kind = (int) (data & 0xff);
        switch (kind) {
            case K_READ, K_WRITE, K_WRITE_FUA -> rwDone(io, qs, kind, res);
            case K_FSYNC -> io.complete(Math.min(res, 0));
            case K_ZERO_FILL -> io.complete(res < 0 ? res : io.length());
            case K_FALLOCATE -> {
                int mode = (int) (data >>> 8);
                mayHaveHoles(io);
                if (res == -EOPNOTSUPP && mode == ZERO && !blockDevice) {
                    // No ZERO_RANGE here (tmpfs): a punched hole reads back as zeros too.
                    zeroRange = false;
                    finish(io, submitFallocate(io, PUNCH));
                } else {
                    io.complete(Math.min(res, 0));
                }
            }
            default -> io.complete(QueueHandler.EIO);
        }
    }

    private void rwDone(UblkIo io, FileQueue qs, int kind, int res) {
        int tag = io.tag();
        if (res == -EINTR || res == -EAGAIN) {
            finish(io, submitRw(io, qs, kind));
            return;
        }
        if (res < 0) {
            if (kind != K_READ) {
                mayHaveHoles(io);
            }
            io.complete(res);
            return;
        }
        int done = qs.done[tag] + res;
        int length = io.length();
        if (res == 0 && done < length) {
            if (kind != K_READ) {
                mayHaveHoles(io);
                io.complete(QueueHandler.EIO);
                return;
            }
            // End of a backing file shorter than the device: the rest reads as zeros.
            if (io.bufferIndex() >= 0) {
                qs.done[tag] = done;
                finish(io, submitZeroFill(io, done));
                return;
            }
            qs.buffer(io).asSlice(done, length - done).fill((byte) 0);
            done = length;
        }
        qs.done[tag] = done;
        if (done < length) {
            finish(io, submitRw(io, qs, kind));
            return;
        }
        if (kind == K_READ && io.buffer() == null && io.bufferIndex() < 0) {
            int copied = io.copyToRequest(0, qs.buffers[tag], 0, length);
            io.complete(copied < 0 ? copied : length);
            return;
        }
        io.complete(length);
    }

    /** A failed write, or a punch, may leave holes in the mapped pages: mark them so. */
    private void mayHaveHoles(UblkIo io) {
        if (fileMap != null) {
            fileMap.markMaybeHoles(io);
        }
    }

    private static void finish(UblkIo io, int submitted) {
        if (submitted != QueueHandler.ASYNC) {
            io.complete(submitted);
        }
    }
}
