package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_shmem_buf_reg} (24 bytes), the buffer of REG_BUF
 * ({@code UBLK_F_SHMEM_ZC}) describing the shared memory to register.
 *
 * <pre>
 *   0        2        4        6        8
 *   +-----------------------------------+
 *   |               addr                |   0
 *   +-----------------------------------+
 *   |                len                |   8
 *   +-----------------+-----------------+
 *   |      flags      |    reserved     |  16
 *   +-----------------+-----------------+
 * </pre>
 *
 * <p>{@code addr} and {@code len} must be page-aligned. Not thread-safe; reusable through
 * {@link #wrap}. Accessors do plain, bounds-checked reads and writes of the native byte order; the
 * wrapped memory must be 8-byte aligned.
 */
public final class ShmemBufRegFlyweight {

    /** The layout, {@link UblkLayouts#UBLK_SHMEM_BUF_REG}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_SHMEM_BUF_REG;
    /** Size of the struct in bytes (24). */
    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of {@code addr} ({@code __u64}). */
    public static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");
    /** Offset of {@code len} ({@code __u64}). */
    public static final long LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "len");
    /** Offset of {@code flags} ({@code __u32}). */
    public static final long FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "flags");
    /** Offset of {@code reserved} ({@code __u32}). */
    public static final long RESERVED_OFFSET = UblkLayouts.offsetOf(LAYOUT, "reserved");

    private MemorySegment segment;
    private long offset;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ShmemBufRegFlyweight() {
    }

    /**
     * Points this flyweight at a struct.
     *
     * @param segment memory holding the struct
     * @param offset  offset of the struct in {@code segment}
     * @return this
     */
    public ShmemBufRegFlyweight wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /**
     * Returns the wrapped segment.
     *
     * @return the segment given to {@link #wrap}
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Returns the offset of the struct in the wrapped segment.
     *
     * @return the offset given to {@link #wrap}
     */
    public long offset() {
        return offset;
    }

    /**
     * Zeroes the whole struct, including the reserved fields the kernel expects to be 0.
     *
     * @return this
     */
    public ShmemBufRegFlyweight clear() {
        segment.asSlice(offset, SIZE).fill((byte) 0);
        return this;
    }

    /**
     * Reads {@code addr}.
     *
     * @return the virtual address of the shared memory
     */
    public long addr() {
        return segment.get(JAVA_LONG, offset + ADDR_OFFSET);
    }

    /**
     * Writes {@code addr}.
     *
     * @param addr the virtual address of the shared memory (page-aligned)
     * @return this
     */
    public ShmemBufRegFlyweight addr(long addr) {
        segment.set(JAVA_LONG, offset + ADDR_OFFSET, addr);
        return this;
    }

    /**
     * Reads {@code len}.
     *
     * @return the length in bytes
     */
    public long len() {
        return segment.get(JAVA_LONG, offset + LEN_OFFSET);
    }

    /**
     * Writes {@code len}.
     *
     * @param len the length in bytes (page-aligned)
     * @return this
     */
    public ShmemBufRegFlyweight len(long len) {
        segment.set(JAVA_LONG, offset + LEN_OFFSET, len);
        return this;
    }

    /**
     * Reads {@code flags}.
     *
     * @return the {@code UBLK_SHMEM_BUF_*} flags
     */
    public int flags() {
        return segment.get(JAVA_INT, offset + FLAGS_OFFSET);
    }

    /**
     * Writes {@code flags}.
     *
     * @param flags the {@code UBLK_SHMEM_BUF_*} flags
     * @return this
     */
    public ShmemBufRegFlyweight flags(int flags) {
        segment.set(JAVA_INT, offset + FLAGS_OFFSET, flags);
        return this;
    }
}
