// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkException;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code jublk quiesce}: a planned server restart. The kernel holds new IO and takes the device
 * from its server (QUIESCE_DEV), which exits leaving the device in place; {@code jublk recover}
 * then starts a new server (a new jublk version, say) and the held IO flows to it.
 */
final class QuiesceCommand implements Command {
    @Override
    public String name() {
        return "quiesce";
    }

    @Override
    public String summary() {
        return "hold a device's IO and let its server exit, for 'jublk recover'";
    }

    @Override
    public String help() {
        return """
                usage: jublk quiesce -n ID [--timeout SECONDS]

                Quiesces /dev/ublkbN for a planned server restart (QUIESCE_DEV, Linux 6.16+, for
                devices added with --recovery): new IO is held, the server finishes what it has and
                exits, and the device waits, still present, until 'jublk recover -n ID' starts a new
                server. Nothing fails meanwhile; IO just waits.

                options:
                  -n, --number ID        the device
                      --timeout SECONDS  how long the kernel may wait for the queues to go idle, and this
                                         command for the server to exit (default %d)
                """.formatted(DeviceOptions.SERVER_EXIT_SECONDS);
    }

    @Override
    public List<Args.Option> options() {
        return List.of(DeviceOptions.NUMBER, DeviceOptions.TIMEOUT);
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.requiredId(args);
        int timeout = DeviceOptions.timeoutSeconds(args, DeviceOptions.SERVER_EXIT_SECONDS);
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
