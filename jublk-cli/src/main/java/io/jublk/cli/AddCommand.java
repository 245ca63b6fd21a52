// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code jublk add}: creates a device served by a jublk process. In the foreground this process
 * serves it until SIGINT/SIGTERM or until it is stopped from outside; otherwise it starts that
 * server as a detached process and returns once {@code /dev/ublkbN} is live.
 */
@Command(name = "add", header = "create a device served by a jublk process (null, mem, file or nbd target)",
        customSynopsis = {
            "jublk add -t null|mem [-s SIZE] [COMMON OPTIONS]",
            "       jublk add -t file|loop -f FILE [--direct] [--read-only] [-s SIZE] [COMMON OPTIONS]",
            "       jublk add -t nbd --url URL [--connections N] [-s SIZE] [COMMON OPTIONS]",
            "  COMMON OPTIONS: [-q QUEUES] [-d DEPTH] [-n ID] [-b BYTES] [--cpus SPEC]",
            "                  [-u | -z | --data-mode MODE] [-r [0|1] | --recovery[=MODE]] [-e 0|1] [-i 0|1]",
            "                  [--io-scheduler NAME] [--foreground [--service]] [--timeout SECONDS]",
            "                  [--fault-error-rate R] [--fault-delay DURATION [--fault-delay-rate R]]",
            "                  [--fault-seed N]"},
        description = {
            "Creates /dev/ublkbN served by a jublk process. Without --foreground the server runs detached in the"
                    + " background (log in /run/jublk/ublkbN.log, or the temp directory) and this command returns once"
                    + " the device is live, printing its id and path. 'jublk del -n N' stops it: its server then deletes"
                    + " the device and exits.",
            "",
            "targets:",
            "  null  completes every request at once and keeps no data (for measuring ublk itself)",
            "  mem   a RAM disk in the server's memory, allocated as it is written",
            "  file  a regular file or block device, read and written through io_uring (a loop device);"
                    + " -t loop is the same",
            "  nbd   an export of an NBD server (qemu-nbd, nbdkit, any storage that speaks NBD), reconnecting when it"
                    + " returns"},
        footer = {
            "examples:",
            "  jublk add -t mem -s 1G",
            "  jublk add -t null -q 2 -d 256 -n 5 --foreground",
            "  jublk add -t null -q 2 --cpus 0-1:2-3",
            "  jublk add -t file --path /var/lib/images/disk.img --direct --zero-copy",
            "  jublk add -t loop -f disk.img -n 0 -r",
            "  jublk add -t nbd --url nbd://storage.example:10809/vol1 -q 2 --recovery",
            "  jublk add -t mem -s 64M --fault-error-rate 0.01 --fault-delay 5ms --fault-delay-rate 0.1"})
final class AddCommand implements Cli.Verb {
    @Mixin
    AddOptions options;
    @Option(names = "--foreground", description = "serve in this process until SIGINT/SIGTERM or 'jublk del',"
            + " then delete the device")
    boolean foreground;
    @Option(names = "--service", description = "with --foreground and -n, as a service manager runs it: recovery (reissue) unless"
            + " --recovery says otherwise; SIGINT/SIGTERM only lets go of the device, which waits for the next start; a"
            + " start finding the device waiting takes it over. Only 'jublk del -n N' deletes it. Tells systemd"
            + " (NOTIFY_SOCKET) when the device is live; see dist/systemd/jublk@.service")
    boolean service;
    @Option(names = "--timeout", paramLabel = "SECONDS", description = "how long to wait for a background server to be"
            + " live (default " + Daemon.DEFAULT_TIMEOUT_SECONDS + ")")
    String timeout;
    // Options the CLI passes to the server it starts in the background.
    @Option(names = "--take-over", paramLabel = "ID", hidden = true)
    String takeOver;
    @Option(names = "--ready-file", paramLabel = "PATH", hidden = true)
    String readyFile;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        boolean asService = isService();
        AddSettings asked = options.settings(asService);
        int seconds = DeviceOptions.timeoutSeconds("add", timeout, Daemon.DEFAULT_TIMEOUT_SECONDS);
        Host.requireDriverAccess("add");
        AddSettings s;
        long features;
        try (UblkControl ctl = UblkControl.open()) {
            features = ctl.features();
            s = asked.resolve(features, err);
        }
        if (Host.unprivileged()) {
            if (features != 0 && !UblkFeature.UNPRIVILEGED_DEV.isSet(features)) {
                throw CliException.failure("add: this kernel's ublk driver has no unprivileged devices (Linux 6.3+): run as root");
            }
            if (s.recovery() != Recovery.OFF) {
                throw CliException.failure("add: --recovery is for root only: the kernel gives unprivileged devices no recovery"
                        + (options.recoveryGiven() ? "" : " (--service asks for it unless you give --recovery=off)"));
            }
            if (s.mode() != DataMode.COPY) {
                throw CliException.failure("add: data mode " + s.mode().cliName() + " is for root only: unprivileged devices use"
                        + " copy mode; leave out -u/-z/--data-mode");
            }
        }
        int takeOverId = OptionValues.intValue("add", takeOver, "--take-over", -1, 0, DeviceOptions.MAX_ID);
        if (asService) {
            takeOverId = serviceTakeOver(s.id(), err) ? s.id() : -1;
        }
        if (foreground) {
            return DeviceServer.serve(s, takeOverId, readyFile == null ? null : Path.of(readyFile), asService, out, err);
        }
        return Daemon.spawn(s, takeOverId, seconds, out, err);
    }

    /**
     * Reads {@code --service}: a foreground server for a fixed device id, as a service manager runs it.
     *
     * @return whether the server runs as a service
     * @throws CliException when {@code --service} comes without {@code --foreground} or {@code -n}
     */
    boolean isService() throws CliException {
        if (!service) {
            return false;
        }
        if (!foreground) {
            throw CliException.usage("add", "--service is for a server in the foreground: add --foreground");
        }
        if (options.number == null) {
            throw CliException.usage("add", "--service needs the device id: give -n ID, so a restart finds its"
                    + " device again");
        }
        if (takeOver != null) {
            throw CliException.usage("add", "--service takes its device over by itself; leave out --take-over");
        }
        return true;
    }

    /**
     * What a service's start does with its device id: add a new device when there is none, take over
     * one left waiting by the last server (let go on a restart, or after a crash), and refuse one
     * that is served or was not added for recovery. A stopped device nobody deleted is deleted first.
     *
     * @param id the service's device
     * @param err where the deletion of a stopped leftover is reported
     * @return whether to take the device over (else add it)
     */
    private static boolean serviceTakeOver(int id, PrintStream err) throws CliException, UblkException {
        try (UblkControl ctl = UblkControl.open()) {
            UblkDeviceInfo info = Host.findDevice(ctl, id);
            if (info == null) {
                return false;
            }
            boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
            if (info.state() == UblkCmd.UBLK_S_DEV_DEAD) {
                Main.printLines(err, "add: dev " + id + " was stopped but not deleted; deleting it to add it again");
                ctl.deleteDevice(id, unpriv);
                RunDirectory.removeState(id);
                return false;
            }
            if (!info.has(UblkFeature.USER_RECOVERY)) {
                throw CliException.failure("add: dev " + id + " exists without recovery, so this service cannot take it"
                        + " over; delete it with 'jublk del -n " + id + "'");
            }
            int pid = info.ublksrvPid();
            if (info.state() == UblkCmd.UBLK_S_DEV_LIVE && Host.isAlive(pid)) {
                throw CliException.failure("add: dev " + id + " is live, served by process " + pid + "; stop that server"
                        + " first");
            }
            return true;
        }
    }
}
