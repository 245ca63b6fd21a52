// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkException;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code jublk quiesce}: a planned server restart. The kernel holds new IO and takes the device
 * from its server (QUIESCE_DEV), which exits leaving the device in place; {@code jublk recover}
 * then starts a new server (a new jublk version, say) and the held IO flows to it.
 */
@Command(name = "quiesce", header = "hold a device's IO and let its server exit, for 'jublk recover'",
        customSynopsis = "jublk quiesce -n ID [--timeout SECONDS]",
        description = {
            "Quiesces /dev/ublkbN for a planned server restart (QUIESCE_DEV, Linux 6.16+, for devices added with"
                    + " --recovery): new IO is held, the server finishes what it has and exits, and the device waits,"
                    + " still present, until 'jublk recover -n ID' starts a new server. Nothing fails meanwhile; IO just"
                    + " waits."})
final class QuiesceCommand implements Cli.Verb {
    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "the device")
    String number;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long the kernel may wait for the queues to go"
            + " idle, and this command for the server to exit (default " + DeviceOptions.SERVER_EXIT_SECONDS + ")")
    String timeoutOption;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.requiredId("quiesce", number);
        int timeout = DeviceOptions.timeoutSeconds("quiesce", timeoutOption, DeviceOptions.SERVER_EXIT_SECONDS);
        Host.requireDriverAccess("quiesce");
        try (UblkControl ctl = UblkControl.open()) {
            UblkDeviceInfo info = Host.requireDevice(ctl, id, "quiesce");
            if (!info.has(UblkFeature.QUIESCE)) {
                throw CliException.failure("quiesce: dev " + id + " cannot be quiesced: that needs a device added with --recovery"
                        + " on Linux 6.16+ (UBLK_F_QUIESCE)" + (UblkFeature.QUIESCE.isSet(ctl.features()) ? "" : ", which this kernel is not"));
            }
            if (info.state() != UblkCmd.UBLK_S_DEV_LIVE) {
                throw CliException.failure("quiesce: dev " + id + " is " + info.stateName() + ", not live: there is no server to"
                        + " take it from");
            }
            boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
            try {
                ctl.quiesceDevice(id, TimeUnit.SECONDS.toMillis(timeout), unpriv);
            } catch (UblkException e) {
                if (e.errno() == Errno.EBUSY) {
                    throw CliException.failure("quiesce: dev " + id + "'s queues did not go idle within " + timeout
                            + " s; nothing changed, try again or give a longer --timeout");
                }
                throw e;
            }
            int pid = info.ublksrvPid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            while (Host.isAlive(pid) && pid != ProcessHandle.current().pid()) {
                if (System.nanoTime() > deadline) {
                    throw CliException.failure("quiesce: dev " + id + " is quiesced, but its server (pid " + pid
                            + ") has not exited within " + timeout + " s; end it with 'kill " + pid + "', then 'jublk recover -n "
                            + id + "'");
                }
                Thread.sleep(20);
            }
            out.println("dev " + id + ": quiesced; its server (pid " + pid + ") exited; IO waits until 'jublk recover -n " + id + "'");
            return 0;
        }
    }
}
