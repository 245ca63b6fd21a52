// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/**
 * {@code jublk update-size}: changes the size of a live device (UPDATE_SIZE) while it is served,
 * as ublksrv and kublk do; the block device and what has it open stay.
 */
@Command(name = "update-size", header = "change the size of a live device",
        customSynopsis = "jublk update-size -n ID -s SIZE",
        description = {
            "Resizes /dev/ublkbN while it is served (UPDATE_SIZE, Linux 6.16+): the block layer sees the new size at"
                    + " once, so a file system on it can then be grown. The server must be able to serve the new size:"
                    + " a file target serves what its file holds, a mem target no more than it was added with."},
        footer = {
            "examples:",
            "  jublk update-size -n 0 -s 2G"})
final class UpdateSizeCommand implements Cli.Verb {
    private static final String COMMAND = "update-size";

    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "the device")
    String number;
    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", description = "the new size, K/M/G/T binary suffixes as 'jublk add"
            + " -s' takes; a multiple of the device's logical block size")
    String size;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.requiredId(COMMAND, number);
        long bytes = requiredSize();
        Host.requireDriverAccess(COMMAND);
        try (UblkControl ctl = UblkControl.open()) {
            UblkDeviceInfo info = Host.requireDevice(ctl, id, COMMAND);
            if (!UblkFeature.UPDATE_SIZE.isSet(ctl.features())) {
                throw CliException.failure(COMMAND + ": this kernel cannot resize ublk devices: that needs Linux 6.16+"
                        + " (UBLK_F_UPDATE_SIZE); dev " + id + " is left as it is");
            }
            if (info.state() != UblkCmd.UBLK_S_DEV_LIVE) {
                throw CliException.failure(COMMAND + ": dev " + id + " is " + info.stateName() + ", not live: only a served"
                        + " device can be resized");
            }
            boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
            UblkParams before = ctl.getParams(id, unpriv);
            int blockSize = before.logicalBlockSize();
            if (bytes % blockSize != 0) {
                throw CliException.failure(COMMAND + ": " + bytes + " bytes is not a multiple of dev " + id
                        + "'s logical block size, " + blockSize + " bytes; nothing changed");
            }
            try {
                ctl.updateSize(id, bytes, unpriv);
            } catch (UblkException e) {
                if (Host.noSuchDevice(e)) {
                    throw CliException.failure(COMMAND + ": dev " + id + " went away meanwhile");
                }
                if (e.errno() == Errno.EOPNOTSUPP) {
                    throw CliException.failure(COMMAND + ": the kernel refused to resize dev " + id + ": " + e.getMessage());
                }
                throw e;
            }
            out.println("dev " + id + ": " + info.blockPath() + " resized from " + Sizes.format(before.sizeBytes()) + " to "
                    + Sizes.format(bytes));
            return 0;
        }
    }

    /** @return the bytes {@code -s} gives: required, positive */
    private long requiredSize() throws CliException {
        if (size == null) {
            throw CliException.usage(COMMAND, "what size? give -s SIZE, e.g. -s 2G");
        }
        long bytes = OptionValues.sizeValue(COMMAND, size, "-s/--size", 0);
        if (bytes <= 0) {
            throw CliException.usage(COMMAND, "option -s/--size: a device needs a size above 0");
        }
        return bytes;
    }
}
