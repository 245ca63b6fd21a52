// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_batch_io} (16 bytes), the payload of PREP_IO_CMDS,
 * COMMIT_IO_CMDS and FETCH_IO_CMDS ({@code UBLK_F_BATCH_IO}) in the {@code cmd} area of an SQE.
 *
 * <pre>
 *   0        2        4        6    7   8
 *   +--------+--------+--------+----+----+
 *   |  q_id  | flags  |nr_elem |elem|rsvd|   0
 *   |        |        |        |_byt|    |
 *   +--------+--------+--------+----+----+
 *   |             reserved2              |   8
 *   +------------------------------------+
 * </pre>
 *
 * <p>The element array itself ({@link ElemHeaderFlyweight} plus optional {@code __u64}s) is at
 * {@code sqe->addr}; {@code elem_bytes} must match {@link #elemBytesFor(int)} of {@code flags}.
 *
 * <p>Not thread-safe; reusable through {@link #wrap}. Accessors do plain, bounds-checked reads
 * and writes of the native byte order; the wrapped memory must be 8-byte aligned.
 */
public final class BatchIoFlyweight extends StructFlyweight<BatchIoFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_BATCH_IO}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_BATCH_IO;
    /** Size of the struct in bytes (16). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public BatchIoFlyweight() {
        super(LAYOUT);
    }

    private static final long Q_ID_OFFSET = UblkLayouts.offsetOf(LAYOUT, "q_id");

    /**
     * Reads {@code q_id}.
     *
     * @return the queue id, 0..0xFFFF
     */
    public int qId() {
        return u16(Q_ID_OFFSET);
    }

    /**
     * Writes {@code q_id}.
     *
     * @param qId the queue id
     * @return this
     */
    public BatchIoFlyweight qId(int qId) {
        return u16(Q_ID_OFFSET, qId);
    }

    private static final long FLAGS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "flags");

    /**
     * Reads {@code flags}.
     *
     * @return the {@code UBLK_BATCH_F_*} flags
     */
    public int flags() {
        return u16(FLAGS_OFFSET);
    }

    /**
     * Writes {@code flags}.
     *
     * @param flags the {@code UBLK_BATCH_F_*} flags
     * @return this
     */
    public BatchIoFlyweight flags(int flags) {
        return u16(FLAGS_OFFSET, flags);
    }

    private static final long NR_ELEM_OFFSET = UblkLayouts.offsetOf(LAYOUT, "nr_elem");

    /**
     * Reads {@code nr_elem}.
     *
     * @return the number of elements, 0..0xFFFF
     */
    public int nrElem() {
        return u16(NR_ELEM_OFFSET);
    }

    /**
     * Writes {@code nr_elem}.
     *
     * @param nrElem the number of elements (at most the queue depth)
     * @return this
     */
    public BatchIoFlyweight nrElem(int nrElem) {
        return u16(NR_ELEM_OFFSET, nrElem);
    }

    private static final long ELEM_BYTES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "elem_bytes");

    /**
     * Reads {@code elem_bytes}.
     *
     * @return the size of one element, 8, 16 or 24
     */
    public int elemBytes() {
        return u8(ELEM_BYTES_OFFSET);
    }

    /**
     * Writes {@code elem_bytes}.
     *
     * @param elemBytes the size of one element, see {@link #elemBytesFor(int)}
     * @return this
     */
    public BatchIoFlyweight elemBytes(int elemBytes) {
        return u8(ELEM_BYTES_OFFSET, elemBytes);
    }

    /**
     * Returns the element size that batch {@code flags} imply: the 8-byte header, plus 8 for
     * {@code UBLK_BATCH_F_HAS_BUF_ADDR}, plus 8 for {@code UBLK_BATCH_F_HAS_ZONE_LBA}.
     *
     * @param flags {@code UBLK_BATCH_F_*} flags
     * @return 8, 16 or 24
     */
    public static int elemBytesFor(int flags) {
        int bytes = (int) ElemHeaderFlyweight.SIZE;
        if ((flags & UblkCmd.UBLK_BATCH_F_HAS_BUF_ADDR) != 0) {
            bytes += Long.BYTES;
        }
        if ((flags & UblkCmd.UBLK_BATCH_F_HAS_ZONE_LBA) != 0) {
            bytes += Long.BYTES;
        }
        return bytes;
    }
}
