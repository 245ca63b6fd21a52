// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_auto_buf_reg} (8 bytes) and its encoding as the {@code
 * sqe->addr} of FETCH_REQ/COMMIT_AND_FETCH_REQ ({@code UBLK_F_AUTO_BUF_REG}).
 *
 * <pre>
 *   0        2    3    4        6        8
 *   +--------+----+----+-----------------+
 *   | index  |flag|rsv0|    reserved1    |   0
 *   +--------+----+----+-----------------+
 *
 *   sqe->addr: bits 0-15 index, 16-23 flags, 24-31 reserved0, 32-63 reserved1
 * </pre>
 *
 * <p>The per-io path should use the static {@link #autoBufReg(int, int)} encoder, which builds the
 * {@code sqe->addr} value without touching memory; the flyweight is for inspecting the struct.
 * Reserved fields must be 0.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 4-byte aligned.
 */
public final class AutoBufRegFlyweight extends StructFlyweight<AutoBufRegFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_AUTO_BUF_REG}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_AUTO_BUF_REG;
    /** Size of the struct in bytes (8). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public AutoBufRegFlyweight() {
        super(LAYOUT);
    }

    private static final long INDEX_OFFSET = UblkLayouts.offsetOf(LAYOUT, "index");

    /**
     * Reads {@code index}.
     *
     * @return the fixed-buffer index, 0..0xFFFF
     */
    public int index() {
        return u16(INDEX_OFFSET);
    }

    /**
     * Writes {@code index}.
     *
     * @param index the fixed-buffer index to register the request buffer at
     * @return this
     */
    public AutoBufRegFlyweight index(int index) {
        return u16(INDEX_OFFSET, index);
    }

    private static final long FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "flags");

    /**
     * Reads {@code flags}.
     *
     * @return the {@code UBLK_AUTO_BUF_REG_*} flags
     */
    public int flags() {
        return u8(FLAGS_OFFSET);
    }

    /**
     * Writes {@code flags}.
     *
     * @param flags the {@code UBLK_AUTO_BUF_REG_*} flags
     * @return this
     */
    public AutoBufRegFlyweight flags(int flags) {
        return u8(FLAGS_OFFSET, flags);
    }

    /**
     * Encodes an auto buffer registration as the {@code sqe->addr} value, as the kernel's
     * {@code ublk_auto_buf_reg_to_sqe_addr} (reserved fields 0).
     *
     * @param index fixed-buffer index, 0..0xFFFF
     * @param flags {@code UBLK_AUTO_BUF_REG_*} flags, 0..0xFF
     * @return {@code index | flags << 16}
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static long autoBufReg(int index, int flags) {
        if ((index & ~0xffff) != 0) {
            throw new IllegalArgumentException("index out of range: " + index);
        }
        if ((flags & ~0xff) != 0) {
            throw new IllegalArgumentException("flags out of range: " + flags);
        }
        return index | (long) flags << 16;
    }

    /**
     * Decodes the index of an {@code sqe->addr} value (as {@code ublk_sqe_addr_to_auto_buf_reg}).
     *
     * @param sqeAddr an encoded registration
     * @return bits 0-15
     */
    public static int autoBufRegIndex(long sqeAddr) {
        return (int) (sqeAddr & 0xffff);
    }

    /**
     * Decodes the flags of an {@code sqe->addr} value (as {@code ublk_sqe_addr_to_auto_buf_reg}).
     *
     * @param sqeAddr an encoded registration
     * @return bits 16-23
     */
    public static int autoBufRegFlags(long sqeAddr) {
        return (int) (sqeAddr >>> 16 & 0xff);
    }

    private static final long RESERVED0_OFFSET = UblkLayouts.offsetOf(LAYOUT, "reserved0");

    private static final long RESERVED1_OFFSET = UblkLayouts.offsetOf(LAYOUT, "reserved1");

    /**
     * Encodes the wrapped struct as the {@code sqe->addr} value, reserved fields included.
     *
     * @return the encoded registration
     */
    public long toSqeAddr() {
        return index() | (long) flags() << 16
                | (long) u8(RESERVED0_OFFSET) << 24 | (long) i32(RESERVED1_OFFSET) << 32;
    }
}
