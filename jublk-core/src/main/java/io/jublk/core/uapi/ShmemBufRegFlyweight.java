// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

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
public final class ShmemBufRegFlyweight extends StructFlyweight<ShmemBufRegFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_SHMEM_BUF_REG}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_SHMEM_BUF_REG;
    /** Size of the struct in bytes (24). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ShmemBufRegFlyweight() {
        super(LAYOUT);
    }

    private static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");

    /**
     * Reads {@code addr}.
     *
     * @return the virtual address of the shared memory
     */
    public long addr() {
        return i64(ADDR_OFFSET);
    }

    /**
     * Writes {@code addr}.
     *
     * @param addr the virtual address of the shared memory (page-aligned)
     * @return this
     */
    public ShmemBufRegFlyweight addr(long addr) {
        return i64(ADDR_OFFSET, addr);
    }

    private static final long LEN_OFFSET = UblkLayouts.offsetOf(LAYOUT, "len");

    /**
     * Reads {@code len}.
     *
     * @return the length in bytes
     */
    public long len() {
        return i64(LEN_OFFSET);
    }

    /**
     * Writes {@code len}.
     *
     * @param len the length in bytes (page-aligned)
     * @return this
     */
    public ShmemBufRegFlyweight len(long len) {
        return i64(LEN_OFFSET, len);
    }

    private static final long FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "flags");

    /**
     * Reads {@code flags}.
     *
     * @return the {@code UBLK_SHMEM_BUF_*} flags
     */
    public int flags() {
        return i32(FLAGS_OFFSET);
    }

    /**
     * Writes {@code flags}.
     *
     * @param flags the {@code UBLK_SHMEM_BUF_*} flags
     * @return this
     */
    public ShmemBufRegFlyweight flags(int flags) {
        return i32(FLAGS_OFFSET, flags);
    }
}
