// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;

/**
 * What {@code jublk add} records in a device's {@code ublksrv_flags}, the 64 server-private bits the
 * kernel keeps with the device and returns with its info, so that {@code jublk list} can say which
 * target and data mode serve a device even from another process.
 *
 * <pre>
 *  63            48 47                        16 15        8 7          0
 * +----------------+----------------------------+-----------+------------+
 * | magic 0x6a75   |          reserved (0)      | data mode | target code|
 * +----------------+----------------------------+-----------+------------+
 * </pre>
 *
 * The magic ("ju") tells jublk's devices from other servers' (ublksrv keeps its own flags in the
 * low bits). Data mode is {@code DataMode.ordinal() + 1}; target code is {@link TargetKind#code()}.
 *
 * @param target the target, or {@code null} when unknown
 * @param dataMode the data mode, or {@code null} when unknown
 */
record ServerFlags(TargetKind target, DataMode dataMode) {
    static final long MAGIC = 0x6a75L << 48;
    static final long MAGIC_MASK = 0xffffL << 48;

    /** @return the encoded flags */
    long encode() {
        long targetCode = target == null ? 0 : target.code();
        long modeCode = dataMode == null ? 0 : dataMode.ordinal() + 1;
        return MAGIC | modeCode << 8 | targetCode;
    }

    /**
     * Decodes the flags of a device.
     *
     * @param flags a device's ublksrv_flags
     * @return what jublk recorded, or {@code null} when the device was not added by jublk
     */
    static ServerFlags decode(long flags) {
        if ((flags & MAGIC_MASK) != MAGIC) {
            return null;
        }
        int modeCode = (int) (flags >>> 8 & 0xff);
        DataMode[] modes = DataMode.values();
        DataMode mode = modeCode >= 1 && modeCode <= modes.length ? modes[modeCode - 1] : null;
        return new ServerFlags(TargetKind.ofCode((int) (flags & 0xff)), mode);
    }
}
