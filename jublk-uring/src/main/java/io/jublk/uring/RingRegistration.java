// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.IoUringCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.jublk.uring.IoUringConstants.*;

/**
 * Builds the arguments of {@code io_uring_register} for the resources a ring can register: files,
 * buffers, an eventfd. The arguments live only for the call; the kernel copies them.
 */
final class RingRegistration {

    private static final long IOVEC_SIZE = 16;

    private RingRegistration() {
    }

    static void files(int ringFd, int[] fds) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment array = tmp.allocateFrom(ValueLayout.JAVA_INT, fds);
            IoUringCalls.register(ringFd, IORING_REGISTER_FILES, array, fds.length);
        }
    }

    static void buffers(int ringFd, MemorySegment[] buffers) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment iovecs = tmp.allocate(IOVEC_SIZE * buffers.length, 8);
            for (int i = 0; i < buffers.length; i++) {
                MemorySegment b = buffers[i];
                if (!b.isNative()) {
                    throw new IllegalArgumentException("buffer " + i + " is not a native segment");
                }
                iovecs.set(ValueLayout.JAVA_LONG, IOVEC_SIZE * i, b.address());      // iov_base
                iovecs.set(ValueLayout.JAVA_LONG, IOVEC_SIZE * i + 8, b.byteSize()); // iov_len
            }
            IoUringCalls.register(ringFd, IORING_REGISTER_BUFFERS, iovecs, buffers.length);
        }
    }

    static void sparseBuffers(int ringFd, int count) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(IO_URING_RSRC_REGISTER_SIZE, 8); // zeroed: resv2, data, tags
            reg.set(ValueLayout.JAVA_INT, 0, count);                         // nr
            reg.set(ValueLayout.JAVA_INT, 4, IORING_RSRC_REGISTER_SPARSE);   // flags
            IoUringCalls.register(ringFd, IORING_REGISTER_BUFFERS2, reg, IO_URING_RSRC_REGISTER_SIZE);
        }
    }

    /** {@code struct io_uring_buf_reg}: ring_addr, ring_entries, bgid; flags, min_left and resv zero. */
    static void bufferRing(int ringFd, long ringAddress, int entries, int groupId) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(IO_URING_BUF_REG_SIZE, 8);
            reg.set(ValueLayout.JAVA_LONG, 0, ringAddress);
            reg.set(ValueLayout.JAVA_INT, 8, entries);
            reg.set(ValueLayout.JAVA_SHORT, 12, (short) groupId);
            IoUringCalls.register(ringFd, IORING_REGISTER_PBUF_RING, reg, 1);
        }
    }

    static void unregisterBufferRing(int ringFd, int groupId) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment reg = tmp.allocate(IO_URING_BUF_REG_SIZE, 8);
            reg.set(ValueLayout.JAVA_SHORT, 12, (short) groupId);
            IoUringCalls.register(ringFd, IORING_UNREGISTER_PBUF_RING, reg, 1);
        }
    }

    static void eventFd(int ringFd, int eventFd) throws ErrnoException {
        try (Arena tmp = Arena.ofConfined()) {
            IoUringCalls.register(ringFd, IORING_REGISTER_EVENTFD, tmp.allocateFrom(ValueLayout.JAVA_INT, eventFd), 1);
        }
    }

    /**
     * An opcode that takes no argument: unregistering, enabling the rings.
     *
     * @param ringFd the ring fd
     * @param opcode an {@code IORING_*} register opcode
     * @throws ErrnoException on failure
     */
    static void withoutArgument(int ringFd, int opcode) throws ErrnoException {
        IoUringCalls.register(ringFd, opcode, MemorySegment.NULL, 0);
    }
}
