// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.control;

import io.jublk.core.uapi.UblkFeature;

/**
 * A device as the kernel describes it ({@code struct ublksrv_ctrl_dev_info}).
 *
 * @param devId the device id N of {@code /dev/ublkbN}
 * @param nrHwQueues number of queues
 * @param queueDepth tags per queue
 * @param state one of {@code UBLK_S_DEV_*}
 * @param maxIoBufBytes largest request in bytes
 * @param ublksrvPid the serving process, or -1 when none
 * @param flags the negotiated {@code UBLK_F_*} flags
 * @param ublksrvFlags server-private flags the kernel stores for us
 * @param ownerUid the creating user
 * @param ownerGid the creating user's group
 */
public record UblkDeviceInfo(int devId, int nrHwQueues, int queueDepth, int state, int maxIoBufBytes, int ublksrvPid,
                             long flags, long ublksrvFlags, int ownerUid, int ownerGid) {
    /** @return the state's name: dead, live, quiesced, fail-io */
    public String stateName() {
        return switch (state) {
            case 0 -> "dead";
            case 1 -> "live";
            case 2 -> "quiesced";
            case 3 -> "fail-io";
            default -> "state-" + state;
        };
    }

    /**
     * @param feature a flag
     * @return whether the device was granted it
     */
    public boolean has(UblkFeature feature) {
        return (flags & feature.mask()) != 0;
    }

    /** @return the block device path, {@code /dev/ublkbN} */
    public String blockPath() {
        return "/dev/ublkb" + devId;
    }

    /** @return the char device path, {@code /dev/ublkcN} */
    public String charPath() {
        return "/dev/ublkc" + devId;
    }
}
