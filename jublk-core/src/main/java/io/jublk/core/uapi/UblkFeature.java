// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.util.EnumSet;
import java.util.Set;

/**
 * The {@code UBLK_F_*} feature flags of {@code include/uapi/linux/ublk_cmd.h}: requested in
 * {@code ublksrv_ctrl_dev_info.flags} by ADD_DEV (the kernel writes back what it granted, always
 * read it back) and reported by GET_FEATURES.
 *
 * <p>Each constant knows its bit, its kernel name, a short description and the kernel release
 * that introduced it (for SUPPORT_ZERO_COPY, whose bit dates from 6.0, the first release that grants
 * it). The release numbers come from a secondary source (a kernel-history table
 * spot-checked against the 6.1, 6.12 and 7.2 headers) and are meant for messages such as "needs
 * Linux 6.16", not for deciding what a kernel supports: ask it with GET_FEATURES.
 *
 * <p>The raw masks are also available as {@code long} constants with the kernel spellings
 * ({@link #UBLK_F_USER_COPY} etc.). Thread-safe: immutable.
 *
 * @see <a href="https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/include/uapi/linux/ublk_cmd.h?h=v7.2">ublk_cmd.h at v7.2</a>
 */
public enum UblkFeature {

    /** Zero copy through REGISTER/UNREGISTER_IO_BUF into an io_uring fixed-buffer table. */
    SUPPORT_ZERO_COPY(0, "zero copy via io_uring fixed buffers (flag since 6.0, granted since 6.15; privileged)", "6.15"),
    /** Legacy: complete io commands in task work; always set by the kernel. */
    URING_CMD_COMP_IN_TASK(1, "complete io commands in task work (legacy, always set)", "6.0"),
    /** Two-step WRITE: the server supplies the buffer after {@code UBLK_IO_RES_NEED_GET_DATA}. */
    NEED_GET_DATA(2, "two-step WRITE, server supplies the buffer late", "6.0"),
    /** The device survives server exit; in-flight io fails, new io is queued until recovery. */
    USER_RECOVERY(3, "device survives server exit, new io queued", "6.1"),
    /** Like {@link #USER_RECOVERY}, but in-flight io is reissued to the new server. */
    USER_RECOVERY_REISSUE(4, "recovery reissues in-flight io", "6.1"),
    /** Devices owned by an unprivileged user. */
    UNPRIVILEGED_DEV(5, "device owned by an unprivileged user", "6.3"),
    /** ioctl-encoded command op codes; always set by the kernel. */
    CMD_IOCTL_ENCODE(6, "ioctl-encoded command op codes", "6.4"),
    /** The server copies data with pread/pwrite on /dev/ublkcN. */
    USER_COPY(7, "server copies data with pread/pwrite on the char device (privileged)", "6.5"),
    /** Zoned block device. */
    ZONED(8, "zoned block device", "6.6"),
    /** Recovery, but io fails (state FAIL_IO) while no server runs. */
    USER_RECOVERY_FAIL_IO(9, "recovery, io fails while no server runs", "6.13"),
    /** The UPDATE_SIZE command. */
    UPDATE_SIZE(10, "resize with UPDATE_SIZE", "6.16"),
    /** The kernel registers each request buffer in the fixed-buffer table before delivery. */
    AUTO_BUF_REG(11, "automatic request buffer registration (privileged)", "6.16"),
    /** The QUIESCE_DEV command; requires {@link #USER_RECOVERY}. */
    QUIESCE(12, "quiesce with QUIESCE_DEV", "6.16"),
    /** Each (qid, tag) may have its own daemon thread. */
    PER_IO_DAEMON(13, "per-io daemon threads", "6.16"),
    /** (UN)REGISTER_IO_BUF may be issued from any thread. */
    BUF_REG_OFF_DAEMON(14, "buffer registration from any thread", "6.17"),
    /** Batch io protocol: PREP/COMMIT/FETCH_IO_CMDS. */
    BATCH_IO(15, "batch io commands", "7.0"),
    /** Integrity (metadata/PI) buffers; requires {@link #USER_COPY}. */
    INTEGRITY(16, "integrity/metadata buffers", "7.0"),
    /** The TRY_STOP_DEV command. */
    SAFE_STOP_DEV(17, "stop only without openers (TRY_STOP_DEV)", "7.0"),
    /** No partition scan when the device starts. */
    NO_AUTO_PART_SCAN(18, "no partition scan on start", "7.0"),
    /** Shared-memory zero copy with REG_BUF/UNREG_BUF. */
    SHMEM_ZC(19, "shared-memory zero copy (REG_BUF)", "7.1");

    /** Zero copy through REGISTER/UNREGISTER_IO_BUF (bit 0). */
    public static final long UBLK_F_SUPPORT_ZERO_COPY = 1L << 0;
    /** Complete io commands in task work; legacy, always set (bit 1). */
    public static final long UBLK_F_URING_CMD_COMP_IN_TASK = 1L << 1;
    /** Two-step WRITE (bit 2). */
    public static final long UBLK_F_NEED_GET_DATA = 1L << 2;
    /** Device survives server exit (bit 3). */
    public static final long UBLK_F_USER_RECOVERY = 1L << 3;
    /** Recovery reissues in-flight io (bit 4). */
    public static final long UBLK_F_USER_RECOVERY_REISSUE = 1L << 4;
    /** Unprivileged device (bit 5). */
    public static final long UBLK_F_UNPRIVILEGED_DEV = 1L << 5;
    /** ioctl-encoded op codes (bit 6). */
    public static final long UBLK_F_CMD_IOCTL_ENCODE = 1L << 6;
    /** User copy via pread/pwrite (bit 7). */
    public static final long UBLK_F_USER_COPY = 1L << 7;
    /** Zoned device (bit 8). */
    public static final long UBLK_F_ZONED = 1L << 8;
    /** Recovery with failing io (bit 9). */
    public static final long UBLK_F_USER_RECOVERY_FAIL_IO = 1L << 9;
    /** UPDATE_SIZE command (bit 10). */
    public static final long UBLK_F_UPDATE_SIZE = 1L << 10;
    /** Automatic buffer registration (bit 11). */
    public static final long UBLK_F_AUTO_BUF_REG = 1L << 11;
    /** QUIESCE_DEV command (bit 12). */
    public static final long UBLK_F_QUIESCE = 1L << 12;
    /** Per-io daemon (bit 13). */
    public static final long UBLK_F_PER_IO_DAEMON = 1L << 13;
    /** Buffer registration off the daemon (bit 14). */
    public static final long UBLK_F_BUF_REG_OFF_DAEMON = 1L << 14;
    /** Batch io (bit 15). */
    public static final long UBLK_F_BATCH_IO = 1L << 15;
    /** Integrity buffers (bit 16). */
    public static final long UBLK_F_INTEGRITY = 1L << 16;
    /** TRY_STOP_DEV command (bit 17). */
    public static final long UBLK_F_SAFE_STOP_DEV = 1L << 17;
    /** No automatic partition scan (bit 18). */
    public static final long UBLK_F_NO_AUTO_PART_SCAN = 1L << 18;
    /** Shared-memory zero copy (bit 19). */
    public static final long UBLK_F_SHMEM_ZC = 1L << 19;

    private static final UblkFeature[] BY_BIT = values();

    /** The OR of every flag this enum knows (the 7.2 header's flags). */
    public static final long KNOWN_MASK = (1L << BY_BIT.length) - 1;

    private final int bit;
    private final String description;
    private final String since;

    UblkFeature(int bit, String description, String since) {
        this.bit = bit;
        this.description = description;
        this.since = since;
    }

    /**
     * Returns the bit number of this flag.
     *
     * @return 0..63
     */
    public int bit() {
        return bit;
    }

    /**
     * Returns the mask of this flag.
     *
     * @return {@code 1L << bit()}
     */
    public long mask() {
        return 1L << bit;
    }

    /**
     * Returns the kernel spelling of this flag.
     *
     * @return e.g. {@code "UBLK_F_USER_COPY"}
     */
    public String kernelName() {
        return "UBLK_F_" + name();
    }

    /**
     * Returns a short human description.
     *
     * @return e.g. {@code "zoned block device"}
     */
    public String description() {
        return description;
    }

    /**
     * Returns the kernel release that introduced this flag (secondary source; see class doc).
     *
     * @return e.g. {@code "6.16"}
     */
    public String since() {
        return since;
    }

    /**
     * Returns whether this flag is set in {@code flags}.
     *
     * @param flags a {@code UBLK_F_*} mask
     * @return true if {@code (flags & mask()) != 0}
     */
    public boolean isSet(long flags) {
        return (flags & mask()) != 0;
    }

    /**
     * Returns the flag of a bit number.
     *
     * @param bit bit number
     * @return the flag, or null if this enum does not know it
     */
    public static UblkFeature ofBit(int bit) {
        return bit >= 0 && bit < BY_BIT.length ? BY_BIT[bit] : null;
    }

    /**
     * Returns the known flags set in a mask; unknown bits are ignored (see {@link #KNOWN_MASK}).
     *
     * @param flags a {@code UBLK_F_*} mask
     * @return a new mutable set
     */
    public static EnumSet<UblkFeature> of(long flags) {
        EnumSet<UblkFeature> set = EnumSet.noneOf(UblkFeature.class);
        for (UblkFeature f : BY_BIT) {
            if (f.isSet(flags)) {
                set.add(f);
            }
        }
        return set;
    }

    /**
     * Returns the mask of a set of flags.
     *
     * @param features flags
     * @return their OR
     */
    public static long mask(Set<UblkFeature> features) {
        long mask = 0;
        for (UblkFeature f : features) {
            mask |= f.mask();
        }
        return mask;
    }

    /**
     * Describes a mask for humans: the short names of the set flags in bit order, joined by
     * {@code |}, followed by the hex value of any unknown bits.
     *
     * @param flags a {@code UBLK_F_*} mask
     * @return e.g. {@code "URING_CMD_COMP_IN_TASK|USER_COPY|0x100000"}, or {@code "none"} for 0
     */
    public static String describe(long flags) {
        if (flags == 0) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (UblkFeature f : BY_BIT) {
            if (f.isSet(flags)) {
                if (!sb.isEmpty()) {
                    sb.append('|');
                }
                sb.append(f.name());
            }
        }
        long unknown = flags & ~KNOWN_MASK;
        if (unknown != 0) {
            if (!sb.isEmpty()) {
                sb.append('|');
            }
            sb.append("0x").append(Long.toHexString(unknown));
        }
        return sb.toString();
    }
}
