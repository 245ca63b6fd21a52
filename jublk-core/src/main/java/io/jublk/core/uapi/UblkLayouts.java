// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link MemoryLayout}s of every struct in {@code include/uapi/linux/ublk_cmd.h}.
 *
 * <p>Layout and member names are the kernel's, so {@code PathElement.groupElement("dev_id")} works
 * as in C. Implicit C padding is an unnamed {@link MemoryLayout#paddingLayout(long) padding
 * layout}; the kernel's explicit {@code pad}/{@code reserved} members are named fields. Anonymous C
 * unions are unnamed {@link MemoryLayout#unionLayout union layouts}, so their members are reached
 * through the union's index (see the flyweights' {@code *_OFFSET} constants).
 *
 * <p>All multi-byte fields are in native byte order (the kernel's), and every field is naturally
 * aligned, which {@link MemoryLayout#structLayout} checks when this class initialises. Unsigned C
 * types map to the Java type of the same width; see the flyweights for how values are widened.
 *
 * <p>Checked against the header of Debian sid's {@code linux-libc-dev} (7.2) by {@code
 * UapiHeaderTest}, which compiles {@code sizeof}/{@code offsetof} of every layout and member with
 * gcc. Thread-safe: immutable constants only.
 *
 * @see <a href="https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/include/uapi/linux/ublk_cmd.h?h=v7.2">ublk_cmd.h at v7.2</a>
 */
public final class UblkLayouts {

    private UblkLayouts() {
    }

    /**
     * {@code struct ublksrv_ctrl_cmd} (32 bytes): the payload of a control command, placed in the
     * {@code cmd} area of a 128-byte SQE.
     */
    public static final StructLayout UBLKSRV_CTRL_CMD = MemoryLayout.structLayout(
            JAVA_INT.withName("dev_id"),
            JAVA_SHORT.withName("queue_id"),
            JAVA_SHORT.withName("len"),
            JAVA_LONG.withName("addr"),
            MemoryLayout.sequenceLayout(1, JAVA_LONG).withName("data"),
            JAVA_SHORT.withName("dev_path_len"),
            JAVA_SHORT.withName("pad"),
            JAVA_INT.withName("reserved"))
            .withName("ublksrv_ctrl_cmd");

    /** {@code struct ublksrv_ctrl_dev_info} (64 bytes): device info of ADD_DEV and GET_DEV_INFO. */
    public static final StructLayout UBLKSRV_CTRL_DEV_INFO = MemoryLayout.structLayout(
            JAVA_SHORT.withName("nr_hw_queues"),
            JAVA_SHORT.withName("queue_depth"),
            JAVA_SHORT.withName("state"),
            JAVA_SHORT.withName("pad0"),
            JAVA_INT.withName("max_io_buf_bytes"),
            JAVA_INT.withName("dev_id"),
            JAVA_INT.withName("ublksrv_pid"),
            JAVA_INT.withName("pad1"),
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("ublksrv_flags"),
            JAVA_INT.withName("owner_uid"),
            JAVA_INT.withName("owner_gid"),
            JAVA_LONG.withName("reserved1"),
            JAVA_LONG.withName("reserved2"))
            .withName("ublksrv_ctrl_dev_info");

    /**
     * {@code struct ublksrv_io_desc} (24 bytes): one request, written by the kernel into the
     * per-queue mmapped array at index {@code tag}. Member 1 is the anonymous union
     * {@code nr_sectors}/{@code nr_zones}.
     */
    public static final StructLayout UBLKSRV_IO_DESC = MemoryLayout.structLayout(
            JAVA_INT.withName("op_flags"),
            MemoryLayout.unionLayout(
                    JAVA_INT.withName("nr_sectors"),
                    JAVA_INT.withName("nr_zones")),
            JAVA_LONG.withName("start_sector"),
            JAVA_LONG.withName("addr"))
            .withName("ublksrv_io_desc");

    /**
     * {@code struct ublksrv_io_cmd} (16 bytes): the payload of a FETCH/COMMIT/NEED_GET_DATA or
     * (UN)REGISTER_IO_BUF command. Member 3 is the anonymous union {@code addr}/{@code
     * zone_append_lba}.
     */
    public static final StructLayout UBLKSRV_IO_CMD = MemoryLayout.structLayout(
            JAVA_SHORT.withName("q_id"),
            JAVA_SHORT.withName("tag"),
            JAVA_INT.withName("result"),
            MemoryLayout.unionLayout(
                    JAVA_LONG.withName("addr"),
                    JAVA_LONG.withName("zone_append_lba")))
            .withName("ublksrv_io_cmd");

    /** {@code struct ublk_auto_buf_reg} (8 bytes): auto buffer registration, carried in {@code sqe->addr}. */
    public static final StructLayout UBLK_AUTO_BUF_REG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("index"),
            JAVA_BYTE.withName("flags"),
            JAVA_BYTE.withName("reserved0"),
            JAVA_INT.withName("reserved1"))
            .withName("ublk_auto_buf_reg");

    /** {@code struct ublk_elem_header} (8 bytes): the mandatory head of one batch element. */
    public static final StructLayout UBLK_ELEM_HEADER = MemoryLayout.structLayout(
            JAVA_SHORT.withName("tag"),
            JAVA_SHORT.withName("buf_index"),
            JAVA_INT.withName("result"))
            .withName("ublk_elem_header");

    /** {@code struct ublk_batch_io} (16 bytes): the payload of PREP/COMMIT/FETCH_IO_CMDS. */
    public static final StructLayout UBLK_BATCH_IO = MemoryLayout.structLayout(
            JAVA_SHORT.withName("q_id"),
            JAVA_SHORT.withName("flags"),
            JAVA_SHORT.withName("nr_elem"),
            JAVA_BYTE.withName("elem_bytes"),
            JAVA_BYTE.withName("reserved"),
            JAVA_LONG.withName("reserved2"))
            .withName("ublk_batch_io");

    /** {@code struct ublk_shmem_buf_reg} (24 bytes): the buffer REG_BUF registers. */
    public static final StructLayout UBLK_SHMEM_BUF_REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"),
            JAVA_LONG.withName("len"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("reserved"))
            .withName("ublk_shmem_buf_reg");

    /** {@code struct ublk_param_basic} (32 bytes): mandatory block device limits. */
    public static final StructLayout UBLK_PARAM_BASIC = MemoryLayout.structLayout(
            JAVA_INT.withName("attrs"),
            JAVA_BYTE.withName("logical_bs_shift"),
            JAVA_BYTE.withName("physical_bs_shift"),
            JAVA_BYTE.withName("io_opt_shift"),
            JAVA_BYTE.withName("io_min_shift"),
            JAVA_INT.withName("max_sectors"),
            JAVA_INT.withName("chunk_sectors"),
            JAVA_LONG.withName("dev_sectors"),
            JAVA_LONG.withName("virt_boundary_mask"))
            .withName("ublk_param_basic");

    /** {@code struct ublk_param_discard} (20 bytes): discard and write-zeroes limits. */
    public static final StructLayout UBLK_PARAM_DISCARD = MemoryLayout.structLayout(
            JAVA_INT.withName("discard_alignment"),
            JAVA_INT.withName("discard_granularity"),
            JAVA_INT.withName("max_discard_sectors"),
            JAVA_INT.withName("max_write_zeroes_sectors"),
            JAVA_SHORT.withName("max_discard_segments"),
            JAVA_SHORT.withName("reserved0"))
            .withName("ublk_param_discard");

    /** {@code struct ublk_param_devt} (16 bytes): device numbers, read-only (GET_PARAMS). */
    public static final StructLayout UBLK_PARAM_DEVT = MemoryLayout.structLayout(
            JAVA_INT.withName("char_major"),
            JAVA_INT.withName("char_minor"),
            JAVA_INT.withName("disk_major"),
            JAVA_INT.withName("disk_minor"))
            .withName("ublk_param_devt");

    /** {@code struct ublk_param_zoned} (32 bytes): zoned device limits. */
    public static final StructLayout UBLK_PARAM_ZONED = MemoryLayout.structLayout(
            JAVA_INT.withName("max_open_zones"),
            JAVA_INT.withName("max_active_zones"),
            JAVA_INT.withName("max_zone_append_sectors"),
            MemoryLayout.sequenceLayout(20, JAVA_BYTE).withName("reserved"))
            .withName("ublk_param_zoned");

    /** {@code struct ublk_param_dma_align} (8 bytes): DMA alignment mask. */
    public static final StructLayout UBLK_PARAM_DMA_ALIGN = MemoryLayout.structLayout(
            JAVA_INT.withName("alignment"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("pad"))
            .withName("ublk_param_dma_align");

    /** {@code struct ublk_param_segment} (16 bytes): segment limits. */
    public static final StructLayout UBLK_PARAM_SEGMENT = MemoryLayout.structLayout(
            JAVA_LONG.withName("seg_boundary_mask"),
            JAVA_INT.withName("max_segment_size"),
            JAVA_SHORT.withName("max_segments"),
            MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("pad"))
            .withName("ublk_param_segment");

    /** {@code struct ublk_param_integrity} (16 bytes): integrity (metadata/PI) limits. */
    public static final StructLayout UBLK_PARAM_INTEGRITY = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_SHORT.withName("max_integrity_segments"),
            JAVA_BYTE.withName("interval_exp"),
            JAVA_BYTE.withName("metadata_size"),
            JAVA_BYTE.withName("pi_offset"),
            JAVA_BYTE.withName("csum_type"),
            JAVA_BYTE.withName("tag_size"),
            MemoryLayout.sequenceLayout(5, JAVA_BYTE).withName("pad"))
            .withName("ublk_param_integrity");

    /**
     * {@code struct ublk_params} (152 bytes in 7.2): the SET_PARAMS/GET_PARAMS buffer. Its members
     * are named as in C ({@code basic}, {@code discard}, {@code devt}, {@code zoned}, {@code dma},
     * {@code seg}, {@code integrity}); {@code seg} is 8-aligned, leaving a 4-byte hole after
     * {@code dma}.
     */
    public static final StructLayout UBLK_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("len"),
            JAVA_INT.withName("types"),
            UBLK_PARAM_BASIC.withName("basic"),
            UBLK_PARAM_DISCARD.withName("discard"),
            UBLK_PARAM_DEVT.withName("devt"),
            UBLK_PARAM_ZONED.withName("zoned"),
            UBLK_PARAM_DMA_ALIGN.withName("dma"),
            MemoryLayout.paddingLayout(4),
            UBLK_PARAM_SEGMENT.withName("seg"),
            UBLK_PARAM_INTEGRITY.withName("integrity"))
            .withName("ublk_params");

    /**
     * Returns the byte offset of a member given by its C designator, looking through anonymous
     * unions as C does: {@code "nr_sectors"} in {@code ublksrv_io_desc}, {@code "basic.attrs"} in
     * {@code ublk_params}.
     *
     * @param layout     a struct layout of this class
     * @param designator member names separated by dots
     * @return the offset of the member from the start of the struct
     * @throws IllegalArgumentException if there is no such member
     */
    static long offsetOf(GroupLayout layout, String designator) {
        List<PathElement> path = new ArrayList<>();
        MemoryLayout current = layout;
        for (String name : designator.split("\\.")) {
            if (!(current instanceof GroupLayout group) || !find(group, name, path)) {
                throw new IllegalArgumentException("no member " + designator + " in " + layout);
            }
            current = layout.select(path.toArray(PathElement[]::new));
        }
        return layout.byteOffset(path.toArray(PathElement[]::new));
    }

    private static boolean find(GroupLayout group, String name, List<PathElement> path) {
        List<MemoryLayout> members = group.memberLayouts();
        for (int i = 0; i < members.size(); i++) {
            MemoryLayout member = members.get(i);
            if (member.name().isPresent()) {
                if (member.name().get().equals(name)) {
                    path.add(PathElement.groupElement(i));
                    return true;
                }
            } else if (member instanceof GroupLayout anonymous) {
                path.add(PathElement.groupElement(i));
                if (find(anonymous, name, path)) {
                    return true;
                }
                path.removeLast();
            }
        }
        return false;
    }
}
