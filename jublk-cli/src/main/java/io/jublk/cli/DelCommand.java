// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkDeviceBusyException;
import io.jublk.core.UblkException;
import io.jublk.uring.Errno;
import io.jublk.core.uapi.UblkFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code jublk del}: stops devices (STOP_DEV) and deletes them (DEL_DEV). A device whose server is
 * alive is left to that server to delete, as it does once its queues end; one whose server is
 * gone is deleted here.
 */
@Command(name = "del", header = "stop and delete devices",
        customSynopsis = "jublk del -n ID | -a  [--safe] [--async] [--timeout SECONDS]",
        description = {
            "Stops /dev/ublkbN (STOP_DEV: in-flight IO completes, the block device goes away) and deletes the device."
                    + " When its server is alive, stopping makes the server end its queues, delete the device and exit;"
                    + " this command waits for that, and deletes the device itself when the server is gone. Works for"
                    + " devices of any ublk server, not only jublk's.",
            "",
            "--safe stops only a device nobody has open (TRY_STOP_DEV, Linux 7.0+): while /dev/ublkbN is open (mounted,"
                    + " or a process holds it) the device is left as it is and this command fails. --async deletes"
                    + " without waiting for the server to let go (DEL_DEV_ASYNC, Linux 6.9+): the id is freed once it"
                    + " has."},
        footer = {
            "examples:",
            "  jublk del -n 0",
            "  jublk del -n 0 --safe      # only if /dev/ublkb0 is not in use",
            "  jublk del -a --async"})
final class DelCommand implements Cli.Verb {
    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "the device to delete")
    String number;
    @Option(names = {"-a", "--all"}, description = "delete every ublk device")
    boolean all;
    @Option(names = "--safe", description = "only when nobody has /dev/ublkbN open; when someone has, leave the device"
            + " as it is and fail (Linux 7.0+)")
    boolean safe;
    @Option(names = "--async", description = "delete without waiting for the server to let go of the device (Linux 6.9+)")
    boolean async;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for a server to delete its device"
            + " and exit (default " + DeviceOptions.SERVER_EXIT_SECONDS + ")")
    String timeout;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        if ((number != null) == all) {
            throw CliException.usage("del", all ? "give -n ID or --all, not both" : "which device? give -n ID or --all");
        }
        int id = DeviceOptions.id("del", number);
        int seconds = DeviceOptions.timeoutSeconds("del", timeout, DeviceOptions.SERVER_EXIT_SECONDS);
        Host.requireDriverAccess("del");
        try (UblkControl ctl = UblkControl.open()) {
            if (id >= 0) {
                UblkDeviceInfo info = Host.requireDevice(ctl, id, "del");
                out.println(delete(ctl, info, seconds));
                return 0;
            }
            int status = 0;
            for (int each : UblkControl.deviceIds()) {
                try {
                    UblkDeviceInfo info = Host.findDevice(ctl, each);
                    if (info != null) {
                        out.println(delete(ctl, info, seconds));
                    }
                } catch (CliException | UblkException e) {
                    Main.printLines(err, e.getMessage());
                    status = CliException.FAILURE;
                }
            }
            return status;
        }
    }

    /**
     * Stops and deletes one device.
     *
     * @return a line saying what happened
     */
    private String delete(UblkControl ctl, UblkDeviceInfo info, int timeoutSeconds)
            throws UblkException, CliException, InterruptedException {
        String done = stopAndDelete(ctl, info, timeoutSeconds);
        // Settings kept for 'jublk recover' are of no use once the device is gone.
        RunDirectory.removeState(info.devId());
        return done;
    }

    private String stopAndDelete(UblkControl ctl, UblkDeviceInfo info, int timeoutSeconds)
            throws UblkException, CliException, InterruptedException {
        int id = info.devId();
        boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
        int pid = info.ublksrvPid();
        boolean serverAlive = Host.isAlive(pid);
        try {
            stop(ctl, info);
        } catch (UblkException e) {
            if (Host.noSuchDevice(e)) {
                return "dev " + id + ": already gone";
            }
            throw e;
        }
        if (async) {
            return deleteAsync(ctl, id, unpriv, serverAlive ? pid : -1);
        }
        if (serverAlive) {
            DeviceStop.awaitServerExit(ctl, id, pid, timeoutSeconds, "del");
            if (Host.findDevice(ctl, id) == null) {
                return "dev " + id + ": deleted (its server, pid " + pid + ", stopped and deleted it)";
            }
        }
        // No server, or it died without deleting: DEL_DEV does not block, nobody holds /dev/ublkcN.
        try {
            ctl.deleteDevice(id, unpriv);
        } catch (UblkException e) {
            // Gone already (its server deleted it after all): deleted either way.
            if (!Host.noSuchDevice(e)) {
                throw e;
            }
        }
        return "dev " + id + ": deleted";
    }

    private void stop(UblkControl ctl, UblkDeviceInfo info) throws UblkException, CliException {
        DeviceStop.stop(ctl, info, safe, "del");
    }

    /** DEL_DEV_ASYNC on a stopped device: its server, if any, lets go of it by itself. */
    private static String deleteAsync(UblkControl ctl, int id, boolean unpriv, int serverPid) throws UblkException, CliException {
        try {
            ctl.deleteDeviceAsync(id, unpriv);
        } catch (UblkException e) {
            if (Host.noSuchDevice(e)) {
                return "dev " + id + ": deleted";
            }
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw CliException.failure("del: --async needs Linux 6.9+ (DEL_DEV_ASYNC), which this kernel is not; dev "
                        + id + " is stopped but not deleted" + (serverPid > 0 ? " (its server, pid " + serverPid
                        + ", deletes it as it exits)" : ": run 'jublk del -n " + id + "' without --async"));
            }
            throw e;
        }
        return "dev " + id + ": deleted" + (serverPid > 0 ? " (its server, pid " + serverPid + ", lets go of it by itself)" : "");
    }
}
