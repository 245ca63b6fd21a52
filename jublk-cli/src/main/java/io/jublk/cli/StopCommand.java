// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;

/**
 * {@code jublk stop}: stops a device (STOP_DEV, or TRY_STOP_DEV with {@code --safe}) as kublk's
 * {@code stop} does. A jublk server then deletes its device and exits; a device whose server is
 * gone, or of a server that keeps it, stays stopped until {@code jublk del}.
 */
@Command(name = "stop", header = "stop a device; with --safe only when nobody has it open",
        customSynopsis = "jublk stop -n ID [--safe] [--timeout SECONDS]",
        description = {
            "Stops /dev/ublkbN (STOP_DEV: in-flight IO completes, the block device goes away). A jublk server then"
                    + " deletes the device and exits; this command waits for that. A device left stopped (its server"
                    + " gone, or another ublk server's) is deleted with 'jublk del -n ID'.",
            "",
            "--safe stops only a device nobody has open (TRY_STOP_DEV, Linux 7.0+): while /dev/ublkbN is open"
                    + " (mounted, or a process holds it) the device is left as it is and this command fails."},
        footer = {
            "examples:",
            "  jublk stop -n 0 --safe"})
final class StopCommand implements Cli.Verb {
    private static final String COMMAND = "stop";

    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "the device to stop")
    String number;
    @Option(names = "--safe", description = "only when nobody has /dev/ublkbN open; when someone has, leave the device"
            + " as it is and fail (Linux 7.0+)")
    boolean safe;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for a server to delete its device"
            + " and exit (default " + DeviceOptions.SERVER_EXIT_SECONDS + ")")
    String timeout;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.requiredId(COMMAND, number);
        int seconds = DeviceOptions.timeoutSeconds(COMMAND, timeout, DeviceOptions.SERVER_EXIT_SECONDS);
        Host.requireDriverAccess(COMMAND);
        try (UblkControl ctl = UblkControl.open()) {
            UblkDeviceInfo info = Host.requireDevice(ctl, id, COMMAND);
            int pid = info.ublksrvPid();
            boolean serverAlive = Host.isAlive(pid);
            try {
                DeviceStop.stop(ctl, info, safe, COMMAND);
            } catch (UblkException e) {
                if (Host.noSuchDevice(e)) {
                    throw CliException.failure(COMMAND + ": dev " + id + " went away meanwhile");
                }
                throw e;
            }
            if (serverAlive) {
                DeviceStop.awaitServerExit(ctl, id, pid, seconds, COMMAND);
            }
            if (Host.findDevice(ctl, id) == null) {
                // Settings kept for 'jublk recover' are of no use once the device is gone.
                RunDirectory.removeState(id);
                out.println("dev " + id + ": stopped" + (serverAlive ? "; its server, pid " + pid + ", deleted it and exited"
                        : " and gone"));
            } else {
                out.println("dev " + id + ": stopped; delete it with 'jublk del -n " + id + "'");
            }
            return 0;
        }
    }
}
