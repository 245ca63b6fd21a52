// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.DataMode;
import io.jublk.core.UblkQueue;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.uring.Errno;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The loop device in user space: a device backed by a regular file or a block device, served through
 * each queue's own io_uring. Every request becomes one operation on the backing fd (more when a read
 * or write comes back short and the rest is resubmitted), so many requests are in flight per queue
 * and no thread waits for any of them. The exception is a file in memory (tmpfs, ramfs): io_uring
 * cannot read or write it without blocking and hands each such request to a worker thread, so in
 * the copy modes requests up to {@value Builder#INLINE_MAX_BYTES} bytes are served on the queue's
 * thread, which never waits for a device there ({@link Builder#inline}). On tmpfs they are copied
 * straight to or from a shared mapping of the file where its pages hold data, with no system call
 * ({@link Builder#map}); elsewhere, and into holes, with pread/pwrite.
 *
 * <p>Its queue handlers lend buffers, for {@link DataMode#COPY_APPLICATION_BUFFERS}: there a mapped
 * file's requests are served in place ({@link IoBufferProvider#inPlace}), the kernel copying a read's
 * data straight from the file's pages and a write's straight into them: one copy per request, as with
 * the kernel's loop device, where the other copy modes take two (or one and a system call). Writes
 * pay for it with a second round trip to the kernel (NEED_GET_DATA); other requests get a per-tag
 * buffer of the target's own.
 *
 * <ul>
 *   <li>reads and writes: in the zero copy modes {@code IORING_OP_READ_FIXED}/{@code WRITE_FIXED}
 *       on the request's own pages ({@link UblkIo#bufferIndex()}), so the data never passes through
 *       this process; {@code IORING_OP_READ}/{@code WRITE} straight into the request buffer in the
 *       copy modes; in {@link DataMode#USER_COPY} into a per-tag buffer of the target's own,
 *       filled or drained with {@link UblkIo#copyFromRequest}/{@link UblkIo#copyToRequest};</li>
 *   <li>FUA writes: {@code RWF_DSYNC} on the write itself;</li>
 *   <li>flush: {@code IORING_OP_FSYNC} with {@code IORING_FSYNC_DATASYNC};</li>
 *   <li>discard: {@code FALLOC_FL_PUNCH_HOLE|KEEP_SIZE}, offered only when a probe at construction
 *       shows the file system punches holes; never offered on a block device (issuing
 *       BLKDISCARD blindly could destroy data on devices that do not zero discarded ranges);</li>
 *   <li>write-zeroes: {@code FALLOC_FL_ZERO_RANGE} when the request says no-unmap (falling back to
 *       punching a hole on file systems without ZERO_RANGE, tmpfs among them), punching a hole
 *       otherwise; on a block device ZERO_RANGE, which the kernel turns into write-zeroes or plain
 *       writes of zeros.</li>
 * </ul>
 *
 * <p>With {@code direct}, request buffers must suit O_DIRECT: the library's per-tag buffers in
 * {@link DataMode#COPY} and this target's own in {@link DataMode#USER_COPY} are page aligned; an
 * {@link io.jublk.core.spi.IoBufferProvider} must lend aligned memory too.
 *
 * <p>Reads past the end of a regular file that is shorter than the device read zeros; writes there
 * extend it. While a device serves a mapped file, nothing else may truncate the file: a copy from
 * the lost pages would fault. Thread-safety: a queue only touches its own state, so one target
 * serves every queue.
 */
public final class FileTarget implements BlockTarget, AutoCloseable {
    private static final int EROFS = Errno.EROFS.value();

    final FileBacking backing;
    final boolean readOnly;
    final FileInline inline;
    final FileMapping fileMap;   // null when not mapped
    final FileRing ring;
    private final List<FileQueue> openQueues = new ArrayList<>();
    private volatile boolean closed;

    private FileTarget(Builder b) throws IOException {
        this.backing = new FileBacking(b.path, b.readOnly, b.direct, b.size, b.inline, b.map);
        this.readOnly = backing.readOnly;
        this.inline = new FileInline(backing);
        this.fileMap = backing.mapping;
        this.ring = new FileRing(backing);
    }

    /**
     * @param path a regular file or block device
     * @return a builder for a target over it
     */
    public static Builder builder(Path path) {
        return new Builder(path);
    }

    /**
     * Opens a file read-write (read-only when it cannot be written) with buffered IO, sized from the file.
     *
     * @param path a regular file or block device
     * @return the target
     * @throws IOException when it cannot be opened
     */
    public static FileTarget open(Path path) throws IOException {
        return builder(path).open();
    }

    /** Options for a {@link FileTarget}. */
    public static final class Builder {
        /** The largest request served inline; bigger ones go through the ring, and its workers. */
        public static final int INLINE_MAX_BYTES = 128 * 1024;
        private final Path path;
        private boolean readOnly;
        private boolean direct;
        private long size;
        private Boolean inline;
        private Boolean map;

        private Builder(Path path) {
            this.path = path;
        }

        /**
         * @param on serve the device read-only and open the backing O_RDONLY
         * @return this builder
         */
        public Builder readOnly(boolean on) {
            this.readOnly = on;
            return this;
        }

        /**
         * @param on open the backing with O_DIRECT, bypassing the page cache
         * @return this builder
         */
        public Builder direct(boolean on) {
            this.direct = on;
            return this;
        }

        /**
         * @param bytes device size; 0 (the default) takes the size of the file or block device; rounded down to 512
         * @return this builder
         */
        public Builder size(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("size " + bytes + " is negative");
            }
            this.size = bytes;
            return this;
        }

        /**
         * @param on serve requests of up to {@value #INLINE_MAX_BYTES} bytes in the copy modes with
         *     pread/pwrite on the queue's thread instead of through its io_uring. The default is on
         *     for a file on tmpfs or ramfs: there IO never waits for a device, and io_uring hands
         *     every buffered read and write to a worker thread, a second thread switch per request.
         *     Elsewhere a request that waits for the disk would hold up the whole queue.
         * @return this builder
         */
        public Builder inline(boolean on) {
            this.inline = on;
            return this;
        }

        /**
         * @param on serve inline requests on tmpfs through a shared mapping of the file: a copy to
         *     or from its pages, with no system call, wherever every page a request touches holds
         *     data (holes and the rest go through pread/pwrite, so a read never allocates a page
         *     and a write into a full tmpfs fails with ENOSPC rather than a fault). The default is
         *     on wherever inline IO is on and the file is on tmpfs. The page tables of the pages
         *     that hold data are filled in when the target opens: about 0.2% of their size, and
         *     they count in the process's resident (shared) memory.
         * @return this builder
         * @throws IllegalArgumentException from {@link #open()} when {@code on} but the file is not
         *     on tmpfs or inline IO is off
         */
        public Builder map(boolean on) {
            this.map = on;
            return this;
        }

        /**
         * @return the target, with the backing open
         * @throws IOException when the backing cannot be opened or sized
         */
        public FileTarget open() throws IOException {
            return new FileTarget(this);
        }
    }

    /** @return the device size to build the device with: the backing's size unless one was given */
    public long size() {
        return backing.size;
    }

    /** @return the backing file or block device */
    public Path path() {
        return backing.path;
    }

    /** @return whether the backing is a block device */
    public boolean isBlockDevice() {
        return backing.blockDevice;
    }

    /** @return whether the backing is opened with O_DIRECT */
    public boolean isDirect() {
        return backing.direct;
    }

    /** @return whether inline requests go through a shared mapping of the file, see {@link Builder#map} */
    public boolean isMapped() {
        return fileMap != null;
    }

    /** @return whether small requests are served with pread/pwrite on the queue's thread, see {@link Builder#inline} */
    public boolean isInline() {
        return backing.inline;
    }

    @Override
    public TargetGeometry geometry() {
        return TargetGeometry.ofSize(backing.size).withMaxIoBytes(1 << 20);
    }

    /** Zero copy: the ring's reads and writes use the request's own pages; buffers lent per queue. */
    @Override
    public TargetCapabilities capabilities() {
        return TargetCapabilities.DEFAULT.withDiscard(backing.punchHole)
                .withWriteZeroes(!readOnly && (backing.blockDevice || backing.punchHole))
                .withReadOnly(readOnly).withZeroCopy(true).withLendsBuffers(true);
    }

    // ---- queues -------------------------------------------------------------------------------

    @Override
    public QueueHandler openQueue(UblkQueue queue) throws IOException {
        FileQueue handler = FileQueue.start(this, queue);
        synchronized (openQueues) {
            if (closed) {
                handler.release();
                throw new IOException("file target over " + backing.path + " is closed");
            }
            openQueues.add(handler);
        }
        return handler;
    }

    void queueStopped(FileQueue handler) {
        synchronized (openQueues) {
            openQueues.remove(handler);
        }
        handler.release();
    }

    /**
     * How many requests the running queues have served in place (see {@link Builder#map}); a figure
     * for tests and statistics, read without synchronising with the queues.
     *
     * @return the count over the queues running now
     */
    public long inPlaceRequests() {
        synchronized (openQueues) {
            long total = 0;
            for (FileQueue q : openQueues) {
                total += q.inPlace;
            }
            return total;
        }
    }

    /** Closes the backing; call after the device is deleted. */
    @Override
    public void close() {
        boolean unmap;
        synchronized (openQueues) {
            if (closed) {
                return;
            }
            closed = true;
            // A queue still running would fault on an unmapped file: then the mapping stays, until the process ends.
            unmap = openQueues.isEmpty();
        }
        backing.close();
        if (fileMap != null && unmap) {
            fileMap.unmap();
        }
    }

    @Override
    public String toString() {
        return "FileTarget[" + backing.path + (backing.blockDevice ? " (block device)" : "") + ", " + backing.size
                + " bytes" + (readOnly ? ", read-only" : "") + (backing.direct ? ", O_DIRECT" : "")
                + (backing.punchHole ? ", discard" : "") + (backing.inline ? ", inline" : "") + (fileMap != null ? ", mapped" : "")
                + ']';
    }
}
