// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkException;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code jublk recover}: serves a device with recovery again after its server went away (killed,
 * crashed or quiesced), with the settings {@code jublk add} kept in its state file. IO that waited
 * meanwhile flows again; with reissue, IO the old server had in hand is redone.
 */
@Command(name = "recover", header = "serve a device again after its server died or was quiesced",
        customSynopsis = "jublk recover -n ID [--foreground] [--timeout SECONDS] [ADD OPTIONS]",
        description = {
            "Starts a new server for /dev/ublkbN, a device added with 'jublk add --recovery' whose server is gone"
                    + " (killed, crashed, or stopped by 'jublk quiesce'). The new server takes the device over with the"
                    + " settings kept in /run/jublk/ublkbN.state (START_USER_RECOVERY, then END_USER_RECOVERY once it"
                    + " serves every queue); the block device never went away, so file systems on it stay mounted.",
            "",
            "The options of 'jublk add' that scripts repeat for the other ublk servers ('jublk recover -t loop -f IMG"
                    + " -n 0') are accepted and not needed: the device is served as it was added. Only a target type or"
                    + " backing other than the saved one is refused."})
final class RecoverCommand implements Cli.Verb {
    @Option(names = "--foreground", description = "serve in this process until SIGINT/SIGTERM or 'jublk del'")
    boolean foreground;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for the new server to be live"
            + " (default " + Daemon.DEFAULT_TIMEOUT_SECONDS + ")")
    String timeoutOption;
    @Mixin
    Cli.HelpOption help;
    @Mixin
    AddOptions added;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.requiredId("recover", added.number);
        int timeout = DeviceOptions.timeoutSeconds("recover", timeoutOption, Daemon.DEFAULT_TIMEOUT_SECONDS);
        Host.requireDriverAccess("recover");
        AddSettings settings = recoverable(id);
        added.requireSameTarget(id, settings);
        if (foreground) {
            return DeviceServer.serve(settings, id, null, out, err);
        }
        return Daemon.spawn(settings, id, timeout, out, err);
    }

    /**
     * Checks that the device can be taken over and reads its settings.
     *
     * @param id the device
     * @return the settings it was added with
     * @throws CliException saying why it cannot be recovered and what to do instead
     */
    static AddSettings recoverable(int id) throws CliException, UblkException {
        UblkDeviceInfo info;
        try (UblkControl ctl = UblkControl.open()) {
            info = Host.requireDevice(ctl, id, "recover");
        }
        if (!info.has(UblkFeature.USER_RECOVERY)) {
            throw CliException.failure("recover: dev " + id + " was added without --recovery, so no new server can take it"
                    + " over; delete it with 'jublk del -n " + id + "'");
        }
        int pid = info.ublksrvPid();
        switch (info.state()) {
            case UblkCmd.UBLK_S_DEV_LIVE -> {
                if (Host.isAlive(pid)) {
                    throw CliException.failure("recover: dev " + id + " is live, served by process " + pid + ": nothing to"
                            + " recover (to hand it to a new server, run 'jublk quiesce -n " + id + "' first)");
                }
            }
            case UblkCmd.UBLK_S_DEV_DEAD -> throw CliException.failure("recover: dev " + id + " is stopped: there is nothing"
                    + " to serve again; delete it with 'jublk del -n " + id + "'");
            default -> {
                // quiesced or fail-io: waiting for a server
            }
        }
        Path dir = RunDirectory.path();
        ServerState state;
        try {
            state = ServerState.read(dir, id);
        } catch (IOException e) {
            throw CliException.failure("recover: " + e.getMessage() + "; delete the device with 'jublk del -n " + id + "'");
        }
        if (state == null) {
            throw CliException.failure("recover: no saved settings for dev " + id + " (" + ServerState.path(dir, id)
                    + "): it was not added by 'jublk add --recovery', or the file was removed; delete it with 'jublk del -n "
                    + id + "'");
        }
        return AddOptions.read(state.options());
    }
}
