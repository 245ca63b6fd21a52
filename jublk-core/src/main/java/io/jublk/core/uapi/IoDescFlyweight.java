// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

/**
 * Read-only flyweight over {@code struct ublksrv_io_desc} (24 bytes), the request descriptor the
 * kernel writes for each tag into the per-queue array mmapped from /dev/ublkcN. Hot path: reads
 * are plain loads with no allocation; reposition one instance per queue with {@link #wrapTag}.
 *
 * <pre>
 *   0        2        4        6        8
 *   +-----------------+-----------------+
 *   |    op_flags     |   nr_sectors    |   0
 *   |                 | / nr_zones (un.)|
 *   +-----------------+-----------------+
 *   |           start_sector            |   8
 *   +-----------------------------------+
 *   |               addr                |  16
 *   +-----------------------------------+
 * </pre>
 *
 * <p>{@code op_flags} holds the op ({@link UblkIoOp} {@code UBLK_IO_OP_*}) in bits 0-7 and the
 * {@code UBLK_IO_F_*} flags in bits 8-31. Read the descriptor after the FETCH/COMMIT completion
 * that announced it (the CQE orders the kernel's writes before it).
 *
 * <p>Not thread-safe; the owning queue thread uses it. The wrapped memory must be 8-byte aligned.
 */
public final class IoDescFlyweight extends StructView<IoDescFlyweight> {

    /** The layout, {@link UblkLayouts#UBLKSRV_IO_DESC}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLKSRV_IO_DESC;
    /** Size of the struct in bytes (24). */
    public static final long SIZE = LAYOUT.byteSize();
    /** Offset of {@code nr_sectors} ({@code __u32}). */
    public static final long NR_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "nr_sectors");
    /** Offset of {@code nr_zones} ({@code __u32}). */
    public static final long NR_ZONES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "nr_zones");

    /** Size of one descriptor in bytes as an {@code int}, for tag arithmetic. */
    private static final int STRIDE = (int) SIZE;

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public IoDescFlyweight() {
    }

    private static final long OP_FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "op_flags");

    /**
     * Reads {@code op_flags}.
     *
     * @return op in bits 0-7, {@code UBLK_IO_F_*} flags in bits 8-31
     */
    public int opFlags() {
        return i32(OP_FLAGS_OFFSET);
    }

    /**
     * Reads {@code nr_sectors}.
     *
     * @return the length in 512-byte sectors ({@code __u32} bit pattern)
     */
    public int nrSectors() {
        return i32(NR_SECTORS_OFFSET);
    }

    /**
     * Reads {@code nr_zones}.
     *
     * @return for REPORT_ZONES, the maximum number of zones to report
     */
    public int nrZones() {
        return i32(NR_ZONES_OFFSET);
    }

    private static final long START_SECTOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "start_sector");

    /**
     * Reads {@code start_sector}.
     *
     * @return the first 512-byte sector (or zone start)
     */
    public long startSector() {
        return i64(START_SECTOR_OFFSET);
    }

    private static final long ADDR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "addr");

    /**
     * Reads {@code addr}.
     *
     * @return the server buffer address (copy mode), or with {@code UBLK_IO_F_SHMEM_ZC}
     *         a shared-memory zero-copy address
     */
    public long addr() {
        return i64(ADDR_OFFSET);
    }

    /**
     * Points this flyweight at the descriptor of {@code tag} in a queue's descriptor array.
     *
     * @param iods the mmapped descriptor array of one queue
     * @param tag  the tag
     * @return this
     */
    public IoDescFlyweight wrapTag(MemorySegment iods, int tag) {
        return wrap(iods, (long) tag * STRIDE);
    }

    /**
     * Reads the op code, bits 0-7 of {@code op_flags} (as {@code ublksrv_get_op}).
     *
     * @return a {@code UBLK_IO_OP_*} value
     */
    public int op() {
        return opFlags() & 0xff;
    }

    /**
     * Reads the io flags, {@code op_flags} with the op masked out, to test against the
     * {@code UBLK_IO_F_*} constants directly (unlike {@code ublksrv_get_flags}, not shifted).
     *
     * @return the {@code UBLK_IO_F_*} bits
     */
    public int flags() {
        return opFlags() & ~0xff;
    }

    /**
     * Reads the length in bytes, {@code nr_sectors} (unsigned) times 512.
     *
     * @return the length of the request's data in bytes
     */
    public long byteLength() {
        return Integer.toUnsignedLong(nrSectors()) << 9;
    }
}
