// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.UblkIo;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;

import java.lang.foreign.MemorySegment;

/**
 * A {@link FileTarget}'s small requests in the copy modes served on the queue's thread, for a file
 * in memory where IO never waits for a device: copied to or from the file's mapping where every
 * page they touch holds data, with pread/pwrite elsewhere.
 */
final class FileInline {
    private final int fd;
    private final boolean on;
    private final FileMapping fileMap;   // null when not mapped

    FileInline(FileBacking backing) {
        this.fd = backing.fd;
        this.on = backing.inline;
        this.fileMap = backing.mapping;
    }

    /** Whether a read or write is served here: inline IO on, a copy mode, a small request. */
    boolean serves(UblkIo io) {
        return on && io.bufferIndex() < 0 && io.length() <= FileTarget.Builder.INLINE_MAX_BYTES;
    }

    /** Whether a request served here goes through the file's mapping: every page it touches holds data. */
    boolean viaFileMap(UblkIo io) {
        return fileMap != null && fileMap.holdsData(io);
    }

    /** @return the length read, or a negative errno */
    int read(UblkIo io, FileQueue qs) {
        if (viaFileMap(io)) {
            return fileMap.read(io);
        }
        MemorySegment buffer = qs.buffer(io);
        int length = io.length();
        int done = 0;
        try {
            while (done < length) {
                long n = FileCalls.pread(fd, buffer.address() + done, length - done, io.offset() + done);
                if (n == 0) {
                    // End of a backing file shorter than the device: the rest reads as zeros.
                    buffer.asSlice(done, length - done).fill((byte) 0);
                    break;
                }
                done += (int) n;
            }
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        if (io.buffer() == null) {
            int copied = io.copyToRequest(0, buffer, 0, length);
            return copied < 0 ? copied : length;
        }
        return length;
    }

    /**
     * Writes with pwrite from {@link FileQueue#buffer}, filled by now.
     *
     * @return the length written, or a negative errno
     */
    int write(UblkIo io, FileQueue qs) {
        long address = qs.buffer(io).address();
        int length = io.length();
        int done = 0;
        try {
            while (done < length) {
                long n = FileCalls.pwrite(fd, address + done, length - done, io.offset() + done);
                if (n <= 0) {
                    return QueueHandler.EIO;
                }
                done += (int) n;
            }
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return length;
    }
}
