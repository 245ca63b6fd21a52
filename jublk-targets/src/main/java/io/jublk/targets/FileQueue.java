// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.DataMode;
import io.jublk.core.UblkQueue;
import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.uapi.UblkIoOp;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/**
 * Serves one queue of a {@link FileTarget}: its requests go inline, through the file's mapping or
 * through the queue's ring, and in copy-application-buffers mode it lends the buffers. Only the
 * queue's thread touches it once the queue runs.
 */
final class FileQueue implements QueueHandler, IoBufferProvider {
    private static final int EROFS = Errno.EROFS.value();

    private final FileTarget target;
    private final boolean readOnly;
    private final FileBacking backing;
    private final FileInline inline;
    private final FileMapping fileMap;
    private final FileRing ring;
    /** Per tag, how much of a read or write through the ring is done: short ones are resubmitted for the rest. */
    final int[] done;
    /** Requests served in place; written by the queue's thread only. */
    long inPlace;
    /** Per tag, the target's own buffer: USER_COPY and COPY_APPLICATION_BUFFERS only. */
    final MemorySegment[] buffers;
    private final MemorySegment mapping;

    private FileQueue(FileTarget target, int depth, MemorySegment mapping, int maxIoBytes) {
        this.target = target;
        this.readOnly = target.readOnly;
        this.backing = target.backing;
        this.inline = target.inline;
        this.fileMap = target.fileMap;
        this.ring = target.ring;
        this.done = new int[depth];
        this.mapping = mapping;
        this.buffers = new MemorySegment[depth];
        if (mapping != null) {
            for (int tag = 0; tag < depth; tag++) {
                buffers[tag] = mapping.asSlice((long) tag * maxIoBytes, maxIoBytes);
            }
        }
    }

    /**
     * @param target the target
     * @param queue a queue that starts
     * @return its handler, with buffers of its own where its data mode needs them
     * @throws ErrnoException when the buffers cannot be mapped
     */
    static FileQueue start(FileTarget target, UblkQueue queue) throws ErrnoException {
        int maxIoBytes = queue.device().info().maxIoBufBytes();
        MemorySegment mapping = null;
        DataMode dataMode = queue.device().dataMode();
        if (dataMode == DataMode.USER_COPY || dataMode == DataMode.COPY_APPLICATION_BUFFERS) {
            // Virtual memory only, page aligned per tag (so O_DIRECT is happy); touched when used.
            mapping = MemoryCalls.reserve((long) queue.depth() * maxIoBytes);
        }
        return new FileQueue(target, queue.depth(), mapping, maxIoBytes);
    }

    /** @return the memory a copy mode request's data is read into or written from: the request's or our own */
    MemorySegment buffer(UblkIo io) {
        MemorySegment b = io.buffer();
        return b != null ? b : buffers[io.tag()];
    }

    @Override
    public IoBufferProvider bufferProvider() {
        return this;
    }

    // ---- buffers in COPY_APPLICATION_BUFFERS mode -----------------------------------------------

    /**
     * A small request that goes through the file's mapping (see {@link FileTarget.Builder#map}) is served in place:
     * the kernel copies a read's data straight out of the file's pages and a write's data straight
     * into them, one copy as with the kernel's loop device.
     */
    @Override
    public long inPlace(UblkIo io) {
        if (!inline.serves(io) || !inline.viaFileMap(io)) {
            return 0L;
        }
        if (io.op() == UblkIoOp.UBLK_IO_OP_WRITE && (readOnly || io.fua())) {
            return 0L;
        }
        inPlace++;
        return fileMap.address(io);
    }

    /** Other requests get the queue's own buffer for their tag. */
    @Override
    public MemorySegment acquire(UblkIo io) {
        return buffers[io.tag()];
    }

    @Override
    public void release(UblkIo io, MemorySegment buffer) {
        // The buffers belong to the queue's state for as long as the queue runs.
    }

    // ---- requests -------------------------------------------------------------------------------

    @Override
    public int read(UblkIo io) {
        if (io.isInPlace()) {
            return io.length();
        }
        if (inline.serves(io)) {
            return inline.read(io, this);
        }
        return ring.read(io, this);
    }

    @Override
    public int write(UblkIo io) {
        if (readOnly) {
            return -EROFS;
        }
        if (io.isInPlace()) {
            return io.length();
        }
        boolean inlineWrite = inline.serves(io) && !io.fua();
        if (inlineWrite && inline.viaFileMap(io)) {
            return fileMap.write(io);
        }
        if (fileMap != null) {
            // Before the write, so that a hole punched meanwhile is never marked as data.
            fileMap.markData(io);
        }
        int result = startWrite(io, inlineWrite);
        if (result < 0 && result != ASYNC && fileMap != null) {
            // A write that failed may have left holes where it was to allocate pages.
            fileMap.markMaybeHoles(io);
        }
        return result;
    }

    private int startWrite(UblkIo io, boolean inlineWrite) {
        if (io.buffer() == null && io.bufferIndex() < 0) {
            int copied = io.copyFromRequest(0, buffers[io.tag()], 0, io.length());
            if (copied < 0) {
                return copied;
            }
        }
        return inlineWrite ? inline.write(io, this) : ring.write(io, this);
    }

    @Override
    public int flush(UblkIo io) {
        return readOnly ? 0 : ring.flush(io);
    }

    @Override
    public int discard(UblkIo io) {
        return backing.punchHole ? ring.discard(io) : EOPNOTSUPP;
    }

    @Override
    public int writeZeroes(UblkIo io) {
        if (readOnly) {
            return -EROFS;
        }
        return backing.blockDevice || backing.punchHole ? ring.writeZeroes(io) : EOPNOTSUPP;
    }

    @Override
    public void onRingCompletion(UblkIo io, long data, int res, int flags) {
        ring.complete(io, this, data, res);
    }

    @Override
    public void stop() {
        target.queueStopped(this);
    }

    /** Gives back the buffers; once the queue has stopped. */
    void release() {
        if (mapping != null) {
            MemoryCalls.munmapQuietly(mapping);
        }
    }
}
