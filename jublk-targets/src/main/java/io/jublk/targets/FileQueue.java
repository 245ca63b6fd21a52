package io.jublk.targets;

import io.jublk.core.DataMode;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.UblkQueue;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;

/** A {@link FileTarget}'s state for one queue; only the queue's thread touches it once the queue runs. */
final class FileQueue {
    /** Per tag, how much of a read or write through the ring is done: short ones are resubmitted for the rest. */
    final int[] done;
    /** Requests served in place; written by the queue's thread only. */
    long inPlace;
    /** Per tag, the target's own buffer: USER_COPY and COPY_APPLICATION_BUFFERS only. */
    final MemorySegment[] buffers;
    private final MemorySegment mapping;

    private FileQueue(int depth, MemorySegment mapping, int maxIoBytes) {
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
     * @param queue a queue that starts
     * @return its state, with buffers of its own where its data mode needs them
     * @throws ErrnoException when the buffers cannot be mapped
     */
    static FileQueue start(UblkQueue queue) throws ErrnoException {
        int maxIoBytes = queue.device().info().maxIoBufBytes();
        MemorySegment mapping = null;
        DataMode dataMode = queue.device().dataMode();
        if (dataMode == DataMode.USER_COPY || dataMode == DataMode.COPY_APPLICATION_BUFFERS) {
            // Virtual memory only, page aligned per tag (so O_DIRECT is happy); touched when used.
            mapping = MemoryCalls.mmap((long) queue.depth() * maxIoBytes, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                    MemoryCalls.MAP_PRIVATE | MemoryCalls.MAP_ANONYMOUS | MemoryCalls.MAP_NORESERVE, -1, 0);
        }
        return new FileQueue(queue.depth(), mapping, maxIoBytes);
    }

    /** @return the memory a copy mode request's data is read into or written from: the request's or our own */
    MemorySegment buffer(UblkIo io) {
        MemorySegment b = io.buffer();
        return b != null ? b : buffers[io.tag()];
    }

    /** Gives back the buffers; once the queue has stopped. */
    void release() {
        if (mapping != null) {
            FileMapping.unmapQuietly(mapping);
        }
    }
}
