// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkFeature;

/**
 * One device as {@code jublk list} shows it: the kernel's info and parameters, what jublk recorded
 * in ublksrv_flags, and whether the serving process is alive. Immutable.
 *
 * @param id the device id N
 * @param state the state's name (live, dead, quiesced, fail-io)
 * @param queues number of queues
 * @param depth tags per queue
 * @param maxIoBytes largest request in bytes
 * @param sizeBytes device size in bytes, or -1 when the parameters could not be read
 * @param logicalBlockSize logical block size in bytes, or -1 when unknown
 * @param physicalBlockSize physical block size in bytes, or -1 when unknown
 * @param target the target's name, or {@code null} when the device was not added by jublk
 * @param dataMode the data mode's name (from jublk's record, else from the granted flags)
 * @param serverPid the serving process, or -1 when none
 * @param serverAlive whether that process exists
 * @param flags the granted {@code UBLK_F_*} flags
 * @param ownerUid the creating user
 * @param ownerGid the creating user's group
 */
record DeviceRow(int id, String state, int queues, int depth, int maxIoBytes, long sizeBytes, int logicalBlockSize,
                 int physicalBlockSize, String target, String dataMode, int serverPid, boolean serverAlive, long flags,
                 int ownerUid, int ownerGid) {

    /**
     * @param info the device's info
     * @param params its parameters, or {@code null} when they could not be read
     * @param serverAlive whether {@code info.ublksrvPid()} is a live process
     * @return the row
     */
    static DeviceRow of(UblkDeviceInfo info, UblkParams params, boolean serverAlive) {
        ServerFlags recorded = ServerFlags.decode(info.ublksrvFlags());
        String target = recorded == null || recorded.target() == null ? null : recorded.target().cliName();
        String mode = recorded != null && recorded.dataMode() != null ? recorded.dataMode().cliName() : inferMode(info.flags());
        return new DeviceRow(info.devId(), info.stateName(), info.nrHwQueues(), info.queueDepth(), info.maxIoBufBytes(),
                params == null ? -1 : params.sizeBytes(), params == null ? -1 : params.logicalBlockSize(),
                params == null ? -1 : 1 << params.physicalBsShift(), target, mode, info.ublksrvPid(), serverAlive,
                info.flags(), info.ownerUid(), info.ownerGid());
    }

    /** How data moves, as far as the granted flags tell. */
    private static String inferMode(long flags) {
        if (UblkFeature.AUTO_BUF_REG.isSet(flags)) {
            return DataMode.AUTO_ZERO_COPY.cliName();
        }
        if (UblkFeature.SUPPORT_ZERO_COPY.isSet(flags)) {
            return DataMode.ZERO_COPY.cliName();
        }
        return UblkFeature.USER_COPY.isSet(flags) ? "user-copy" : "copy";
    }

    /** @return {@code /dev/ublkbN} */
    String blockPath() {
        return "/dev/ublkb" + id;
    }

    /** @return {@code /dev/ublkcN} */
    String charPath() {
        return "/dev/ublkc" + id;
    }
}
