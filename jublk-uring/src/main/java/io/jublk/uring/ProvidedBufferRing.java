// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.MemoryCalls;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A provided-buffer ring ({@code IORING_REGISTER_PBUF_RING}, Linux 5.19): buffers of one group that
 * the kernel picks from for requests with {@link IoUringConstants#IOSQE_BUFFER_SELECT}, such as a
 * multishot command. Each CQE that used one names it in its flags ({@link #hasBuffer(int)},
 * {@link #bufferId(int)}); once its content is read, {@link #recycle(int)} puts it back and
 * {@link #publish()} hands the returned buffers to the kernel with one release store of the tail.
 *
 * <p>The ring and its buffers share one anonymous mapping, the ring first (page-aligned, as the
 * kernel wants). The kernel pins the pages, so the mapping may be released after the ring is
 * closed. Owner thread only; {@code recycle}, {@code publish} and the reads allocate nothing.
 */
public final class ProvidedBufferRing implements AutoCloseable {
    private static final int ENTRY_SIZE = 16;          // struct io_uring_buf
    private static final long TAIL_OFFSET = 14;        // io_uring_buf_ring.tail overlays bufs[0].resv
    private static final int PAGE = 4096;
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final int groupId;
    private final int entries;
    private final int bufferSize;
    private final long buffersOffset;
    private MemorySegment memory;
    private int tail;

    private ProvidedBufferRing(int groupId, int entries, int bufferSize) throws ErrnoException {
        if (entries < 1 || entries > 32768 || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("buffer ring entries " + entries + " must be a power of two from 1 to 32768");
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("buffer size " + bufferSize + " must be positive");
        }
        this.groupId = groupId;
        this.entries = entries;
        this.bufferSize = bufferSize;
        long ringBytes = (long) entries * ENTRY_SIZE;
        this.buffersOffset = (ringBytes + 63) & ~63L;
        long total = (buffersOffset + (long) entries * bufferSize + PAGE - 1) & ~(long) (PAGE - 1);
        this.memory = MemoryCalls.mmap(total, MemoryCalls.PROT_READ | MemoryCalls.PROT_WRITE,
                MemoryCalls.MAP_PRIVATE | MemoryCalls.MAP_ANONYMOUS | MemoryCalls.MAP_POPULATE, -1, 0);
        for (int bid = 0; bid < entries; bid++) {
            recycle(bid);
        }
    }

    /**
     * Maps a ring with every buffer in it and registers it with {@code ring} (see
     * {@link IoUring#registerBufferRing(int, int, int)}).
     */
    static ProvidedBufferRing register(int ringFd, int groupId, int entries, int bufferSize) throws ErrnoException {
        ProvidedBufferRing buffers = new ProvidedBufferRing(groupId, entries, bufferSize);
        try {
            buffers.publish();
            RingRegistration.bufferRing(ringFd, buffers.memory.address(), entries, groupId);
            return buffers;
        } catch (ErrnoException | RuntimeException e) {
            buffers.close();
            throw e;
        }
    }

    /** @return the buffer group id, for {@link SubmissionEntry#bufGroup(int)} */
    public int groupId() {
        return groupId;
    }

    /** @return the number of buffers */
    public int entries() {
        return entries;
    }

    /** @return the size of each buffer in bytes */
    public int bufferSize() {
        return bufferSize;
    }

    /**
     * @param cqeFlags a CQE's flags
     * @return whether the CQE used a provided buffer ({@code IORING_CQE_F_BUFFER})
     */
    public static boolean hasBuffer(int cqeFlags) {
        return (cqeFlags & IoUringConstants.IORING_CQE_F_BUFFER) != 0;
    }

    /**
     * @param cqeFlags a CQE's flags with {@code IORING_CQE_F_BUFFER}
     * @return the id of the buffer it used
     */
    public static int bufferId(int cqeFlags) {
        return cqeFlags >>> IoUringConstants.IORING_CQE_BUFFER_SHIFT;
    }

    /**
     * @param cqeFlags a CQE's flags
     * @return whether the multishot request stays armed ({@code IORING_CQE_F_MORE})
     */
    public static boolean hasMore(int cqeFlags) {
        return (cqeFlags & IoUringConstants.IORING_CQE_F_MORE) != 0;
    }

    /**
     * Reads an unsigned 16-bit value from a buffer the kernel filled.
     *
     * @param bufferId the buffer
     * @param offset the byte offset in it
     * @return the value, 0..0xFFFF
     */
    public int u16(int bufferId, int offset) {
        return Short.toUnsignedInt(memory.get(ValueLayout.JAVA_SHORT, bufferAddressOffset(bufferId) + offset));
    }

    /**
     * Puts a buffer back in the ring; the kernel sees it after {@link #publish()}.
     *
     * @param bufferId the buffer, 0..entries-1
     */
    public void recycle(int bufferId) {
        long entry = (long) (tail & (entries - 1)) * ENTRY_SIZE;
        memory.set(ValueLayout.JAVA_LONG, entry, memory.address() + bufferAddressOffset(bufferId));
        memory.set(ValueLayout.JAVA_INT, entry + 8, bufferSize);
        memory.set(ValueLayout.JAVA_SHORT, entry + 12, (short) bufferId);
        tail++;
    }

    /** Hands the recycled buffers to the kernel: the entries' plain writes, then the tail with release order. */
    public void publish() {
        SHORT.setRelease(memory, TAIL_OFFSET, (short) tail);
    }

    private long bufferAddressOffset(int bufferId) {
        if (bufferId < 0 || bufferId >= entries) {
            throw new IllegalArgumentException("buffer id " + bufferId + " is not in 0.." + (entries - 1));
        }
        return buffersOffset + (long) bufferId * bufferSize;
    }

    /** Unmaps the ring and its buffers; close the io_uring (or unregister the group) first. Idempotent. */
    @Override
    public void close() {
        if (memory != null) {
            MemoryCalls.munmapQuietly(memory);
            memory = null;
        }
    }
}
