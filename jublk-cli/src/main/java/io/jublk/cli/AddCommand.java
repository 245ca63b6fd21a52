// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.Recovery;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jublk add}: creates a device served by a jublk process. In the foreground this process
 * serves it until SIGINT/SIGTERM or until it is stopped from outside; otherwise it starts that
 * server as a detached process and returns once {@code /dev/ublkbN} is live.
 */
final class AddCommand implements Command {
    @Override
    public String name() {
        return "add";
    }

    @Override
    public String summary() {
        return "create a device served by a jublk process (null, mem, file or nbd target)";
    }

    @Override
    public String help() {
        return """
                usage: jublk add -t null|mem [-s SIZE] [COMMON OPTIONS]
                       jublk add -t file --path FILE [--direct] [--read-only] [-s SIZE] [COMMON OPTIONS]
                       jublk add -t nbd --url URL [--connections N] [-s SIZE] [COMMON OPTIONS]
                  COMMON OPTIONS: [-q QUEUES] [-d DEPTH] [-n ID] [-b BYTES]
                                  [-u | -z | --data-mode MODE] [--recovery[=MODE]] [--io-scheduler NAME]
                                  [-f [--service]] [--timeout SECONDS]
                                  [--fault-error-rate R] [--fault-delay DURATION [--fault-delay-rate R]]
                                  [--fault-seed N]

                Creates /dev/ublkbN served by a jublk process. Without --foreground the server runs
                detached in the background (log in /run/jublk/ublkbN.log, or the temp directory)
                and this command returns once the device is live, printing its id and path.
                'jublk del -n N' stops it: its server then deletes the device and exits.

                targets:
                  null  %s
                  mem   %s
                  file  %s
                  nbd   %s

                options:
                  -t, --type TYPE        the target: null, mem, file or nbd (required)
                  -s, --size SIZE        device size, K/M/G/T binary suffixes (default: null 250G, mem 1G,
                                         file the size of the file or block device, nbd the export's)
                  -p, --path FILE        file: the backing regular file or block device
                      --direct           file: open the backing with O_DIRECT (no page cache)
                  -U, --url URL          nbd: the server, nbd://HOST[:PORT]/EXPORT or
                                         nbd+unix:///EXPORT?socket=PATH
                      --connections N    nbd: connections to the server (default: one per queue when
                                         the server allows several, else one)
                  -r, --read-only        a read-only device (a file that cannot be written is served
                                         read-only anyway)
                  -q, --queues N         queues, each served by its own thread (default 1)
                  -d, --depth N          requests in flight per queue, 1..%d (default 128)
                  -n, --number ID        the device id N of /dev/ublkbN (default: the kernel picks)
                  -b, --block-size BYTES logical block size: 512, 1024, 2048 or 4096 (default 512)
                  -u, --user-copy        copy data with pread/pwrite on /dev/ublkcN (UBLK_F_USER_COPY,
                                         Linux 6.5+) instead of the kernel copying into a buffer per tag
                  -z, --zero-copy        file: no copy at all, the backing file is read and written
                                         straight from the request's pages; takes the best the kernel
                                         has (auto-zero-copy 6.16+, zero-copy 6.15+) and falls back to
                                         user-copy, then copy, saying so
                      --data-mode MODE   exactly this data mode, or fail: copy, user-copy, zero-copy
                                         (REGISTER_IO_BUF per request), auto-zero-copy (AUTO_BUF_REG)
                                         or, for file, copy-application-buffers (NEED_GET_DATA): a
                                         file on tmpfs lends its own pages, so the kernel copies data
                                         once, straight to or from the file, as loop does
                      --recovery[=MODE]  the device outlives its server (killed, crashed, upgraded) until
                                         'jublk recover -n N' serves it again; MODE is what happens to IO
                                         meanwhile: reissue (default: IO waits, in-flight IO is redone
                                         by the new server), fail-in-flight (in-flight IO fails, new IO
                                         waits) or fail-io (all IO fails; Linux 6.13+). Not for mem,
                                         whose data dies with its server
                      --io-scheduler NAME
                                         the block layer's IO scheduler for /dev/ublkbN: none (default,
                                         as the kernel's loop device has), mq-deadline, kyber, bfq, or
                                         kernel to keep the kernel's choice (mq-deadline for one queue)
                  -f, --foreground       serve in this process until SIGINT/SIGTERM or 'jublk del',
                                         then delete the device
                      --service          with -f and -n, as a service manager runs it: recovery
                                         (reissue) unless --recovery says otherwise; SIGINT/SIGTERM
                                         only lets go of the device, which waits for the next start;
                                         a start finding the device waiting takes it over. Only
                                         'jublk del -n N' deletes it. Tells systemd (NOTIFY_SOCKET)
                                         when the device is live; see dist/systemd/jublk@.service
                      --timeout SECONDS  how long to wait for a background server to be live (default %d)

                fault injection, any target (for testing what runs on the device):
                      --fault-error-rate R   fail this share of requests with EIO, 0..1 (0.01: one in a hundred)
                      --fault-delay DURATION hold requests this long before serving them: 500us, 10ms, 1s
                      --fault-delay-rate R   the share of requests held, 0..1 (default 1)
                      --fault-seed N         the same seed fails and delays the same requests on each queue
                                             (default: a random seed)

                examples:
                  jublk add -t mem -s 1G
                  jublk add -t null -q 2 -d 256 -n 5 --foreground
                  jublk add -t file --path /var/lib/images/disk.img --direct --zero-copy
                  jublk add -t nbd --url nbd://storage.example:10809/vol1 -q 2 --recovery
                  jublk add -t mem -s 64M --fault-error-rate 0.01 --fault-delay 5ms --fault-delay-rate 0.1
                """.formatted(TargetKind.NULL.description(), TargetKind.MEM.description(), TargetKind.FILE.description(),
                TargetKind.NBD.description(),
                UblkCmd.UBLK_MAX_QUEUE_DEPTH,
                Daemon.DEFAULT_TIMEOUT_SECONDS);
    }

    @Override
    public List<Args.Option> options() {
        return AddOptions.table();
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        AddSettings asked = AddOptions.parse(args);
        int timeout = DeviceOptions.timeoutSeconds(args, Daemon.DEFAULT_TIMEOUT_SECONDS);
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
                        + (args.has("recovery") ? "" : " (--service asks for it unless you give --recovery=off)"));
            }
            if (s.mode() != DataMode.COPY) {
                throw CliException.failure("add: data mode " + s.mode().cliName() + " is for root only: unprivileged devices use"
                        + " copy mode; leave out -u/-z/--data-mode");
            }
        }
        int takeOver = args.intValue("take-over", "--take-over", -1, 0, DeviceOptions.MAX_ID);
        boolean service = AddOptions.isService(args);
        if (service) {
            takeOver = serviceTakeOver(s.id(), err) ? s.id() : -1;
        }
        if (args.has("foreground")) {
            String ready = args.value("ready-file");
            return DeviceServer.serve(s, takeOver, ready == null ? null : Path.of(ready), service, out, err);
        }
        return Daemon.spawn(s, takeOver, timeout, out, err);
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
