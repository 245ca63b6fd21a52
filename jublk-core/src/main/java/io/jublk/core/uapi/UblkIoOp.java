// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

/**
 * The io op codes ({@code UBLK_IO_OP_*}) and io flags ({@code UBLK_IO_F_*}) of {@code
 * ublksrv_io_desc.op_flags}, spelled as in {@code include/uapi/linux/ublk_cmd.h}: the op is in
 * bits 0-7, the flags in bits 8-31 ({@code UBLK_IO_F_*} are already shifted into place).
 *
 * <p>Thread-safe: constants and pure functions only.
 *
 * @see <a href="https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/include/uapi/linux/ublk_cmd.h?h=v7.2">ublk_cmd.h at v7.2</a>
 */
public final class UblkIoOp {

    private UblkIoOp() {
    }

    /** Read {@code nr_sectors} from {@code start_sector}; result = bytes read or -errno. */
    public static final int UBLK_IO_OP_READ = 0;
    /** Write {@code nr_sectors} at {@code start_sector}; result = bytes written or -errno. */
    public static final int UBLK_IO_OP_WRITE = 1;
    /** Flush the volatile cache; result &gt;= 0 is success. */
    public static final int UBLK_IO_OP_FLUSH = 2;
    /** Discard a range; result &gt;= 0 is success. */
    public static final int UBLK_IO_OP_DISCARD = 3;
    /** Write same (defined, never generated). */
    public static final int UBLK_IO_OP_WRITE_SAME = 4;
    /** Write zeroes to a range; result &gt;= 0 is success. */
    public static final int UBLK_IO_OP_WRITE_ZEROES = 5;
    /** Open a zone. */
    public static final int UBLK_IO_OP_ZONE_OPEN = 10;
    /** Close a zone. */
    public static final int UBLK_IO_OP_ZONE_CLOSE = 11;
    /** Finish a zone. */
    public static final int UBLK_IO_OP_ZONE_FINISH = 12;
    /** Append to a zone; the written LBA is returned in {@code zone_append_lba}. */
    public static final int UBLK_IO_OP_ZONE_APPEND = 13;
    /** Reset all zones. */
    public static final int UBLK_IO_OP_ZONE_RESET_ALL = 14;
    /** Reset a zone. */
    public static final int UBLK_IO_OP_ZONE_RESET = 15;
    /** Report up to {@code nr_zones} zones from {@code start_sector} as {@code struct blk_zone}s. */
    public static final int UBLK_IO_OP_REPORT_ZONES = 18;

    /** Do not retry on device errors. */
    public static final int UBLK_IO_F_FAILFAST_DEV = 1 << 8;
    /** Do not retry on transport errors. */
    public static final int UBLK_IO_F_FAILFAST_TRANSPORT = 1 << 9;
    /** Do not retry on driver errors. */
    public static final int UBLK_IO_F_FAILFAST_DRIVER = 1 << 10;
    /** Metadata io. */
    public static final int UBLK_IO_F_META = 1 << 11;
    /** Forced unit access: the write must be durable on completion. */
    public static final int UBLK_IO_F_FUA = 1 << 13;
    /** WRITE_ZEROES must not deallocate the range. */
    public static final int UBLK_IO_F_NOUNMAP = 1 << 15;
    /** Swap io. */
    public static final int UBLK_IO_F_SWAP = 1 << 16;
    /** Auto buffer registration failed with fallback requested: register the buffer yourself. */
    public static final int UBLK_IO_F_NEED_REG_BUF = 1 << 17;
    /** The request has an integrity data buffer. */
    public static final int UBLK_IO_F_INTEGRITY = 1 << 18;
    /** {@code addr} is a shared-memory zero-copy address (see {@link UblkCmd#shmemZcIndex}). */
    public static final int UBLK_IO_F_SHMEM_ZC = 1 << 19;

    /**
     * Extracts the op code, as {@code ublksrv_get_op}.
     *
     * @param opFlags {@code ublksrv_io_desc.op_flags}
     * @return bits 0-7
     */
    public static int op(int opFlags) {
        return opFlags & 0xff;
    }

    /**
     * Extracts the flags in place, so that they can be tested against {@code UBLK_IO_F_*}. Note
     * that the kernel's {@code ublksrv_get_flags} shifts them down by 8 instead.
     *
     * @param opFlags {@code ublksrv_io_desc.op_flags}
     * @return {@code opFlags} with bits 0-7 cleared
     */
    public static int flags(int opFlags) {
        return opFlags & ~0xff;
    }

    /**
     * Returns the kernel name of an op code without the {@code UBLK_IO_OP_} prefix.
     *
     * @param op an op code (bits 0-7 of {@code op_flags})
     * @return e.g. {@code "READ"}, or {@code "op N"} if unknown
     */
    public static String opName(int op) {
        return switch (op) {
            case UBLK_IO_OP_READ -> "READ";
            case UBLK_IO_OP_WRITE -> "WRITE";
            case UBLK_IO_OP_FLUSH -> "FLUSH";
            case UBLK_IO_OP_DISCARD -> "DISCARD";
            case UBLK_IO_OP_WRITE_SAME -> "WRITE_SAME";
            case UBLK_IO_OP_WRITE_ZEROES -> "WRITE_ZEROES";
            case UBLK_IO_OP_ZONE_OPEN -> "ZONE_OPEN";
            case UBLK_IO_OP_ZONE_CLOSE -> "ZONE_CLOSE";
            case UBLK_IO_OP_ZONE_FINISH -> "ZONE_FINISH";
            case UBLK_IO_OP_ZONE_APPEND -> "ZONE_APPEND";
            case UBLK_IO_OP_ZONE_RESET_ALL -> "ZONE_RESET_ALL";
            case UBLK_IO_OP_ZONE_RESET -> "ZONE_RESET";
            case UBLK_IO_OP_REPORT_ZONES -> "REPORT_ZONES";
            default -> "op " + op;
        };
    }

    private static final int[] FLAG_BITS = {
        UBLK_IO_F_FAILFAST_DEV, UBLK_IO_F_FAILFAST_TRANSPORT, UBLK_IO_F_FAILFAST_DRIVER, UBLK_IO_F_META,
        UBLK_IO_F_FUA, UBLK_IO_F_NOUNMAP, UBLK_IO_F_SWAP, UBLK_IO_F_NEED_REG_BUF, UBLK_IO_F_INTEGRITY,
        UBLK_IO_F_SHMEM_ZC,
    };
    private static final String[] FLAG_NAMES = {
        "FAILFAST_DEV", "FAILFAST_TRANSPORT", "FAILFAST_DRIVER", "META",
        "FUA", "NOUNMAP", "SWAP", "NEED_REG_BUF", "INTEGRITY",
        "SHMEM_ZC",
    };

    /**
     * Describes an {@code op_flags} word for logs, e.g. {@code "WRITE|FUA"}; unknown flag bits are
     * appended in hex. Allocates; not for the per-io path unless tracing.
     *
     * @param opFlags {@code ublksrv_io_desc.op_flags}
     * @return the op name, then the names of the set flags
     */
    public static String describe(int opFlags) {
        StringBuilder sb = new StringBuilder(opName(op(opFlags)));
        int rest = flags(opFlags);
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((rest & FLAG_BITS[i]) != 0) {
                sb.append('|').append(FLAG_NAMES[i]);
                rest &= ~FLAG_BITS[i];
            }
        }
        if (rest != 0) {
            sb.append("|0x").append(Integer.toHexString(rest));
        }
        return sb.toString();
    }
}
