// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.Recovery;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkDeviceBuilder;
import io.jublk.core.UblkException;
import io.jublk.core.spi.BlockTarget;
import io.jublk.core.uapi.UblkCmd;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Serves a device in this process until SIGINT/SIGTERM, {@code jublk del} or {@code jublk quiesce}.
 * It owns the device and its target and closes them exactly once, from whichever thread comes
 * first: the serving one, or the shutdown hook a signal runs. A service ({@code --service}) lets
 * go of a device with recovery on a signal instead of deleting it, so its next start takes it over.
 * Under a service manager it reports readiness through {@link ServiceNotifier}.
 */
final class DeviceServer {
    private final PrintStream err;
    private final ServiceNotifier notifier;
    private final boolean service;
    private BlockTarget target;
    private UblkDevice device;
    private StatsPublisher stats;
    private boolean shutDown;

    private DeviceServer(PrintStream err, boolean service) {
        this.err = err;
        this.service = service;
        this.notifier = ServiceNotifier.fromEnvironment(err);
    }

    /**
     * Adds (or takes over) the device and serves it until it is stopped.
     *
     * @param s the device's settings
     * @param takeOver the device to take over (recover), or -1 to add a new one
     * @param readyFile where to report "added N" and "live N" to the process that started this one, or {@code null}
     * @param out where the device is described
     * @param err where problems go
     * @return the exit status
     * @throws Exception when the device cannot be added or served; nothing is left behind
     */
    static int serve(AddSettings s, int takeOver, Path readyFile, PrintStream out, PrintStream err) throws Exception {
        return serve(s, takeOver, readyFile, false, out, err);
    }

    /**
     * Adds (or takes over) the device and serves it until it is stopped.
     *
     * @param s the device's settings
     * @param takeOver the device to take over (recover), or -1 to add a new one
     * @param readyFile where to report "added N" and "live N" to the process that started this one, or {@code null}
     * @param service whether SIGINT/SIGTERM only lets go of a device with recovery, leaving it to the next start
     * @param out where the device is described
     * @param err where problems go
     * @return the exit status
     * @throws Exception when the device cannot be added or served; nothing is left behind
     */
    static int serve(AddSettings s, int takeOver, Path readyFile, boolean service, PrintStream out, PrintStream err)
            throws Exception {
        DeviceServer server = new DeviceServer(err, service);
        Thread hook = ShutdownHooks.add("jublk-shutdown", server::onSignal);
        try {
            BlockTarget target = s.fault().wrap(s.target().create(s));
            UblkDevice dev;
            try {
                UblkDeviceBuilder builder = s.builder(target);
                dev = takeOver >= 0 ? builder.recover(takeOver) : builder.build();
            } catch (UblkException | RuntimeException e) {
                if (target instanceof AutoCloseable c) {
                    c.close();
                }
                throw e;
            }
            if (!server.adopt(target, dev)) {
                dev.close();
                if (target instanceof AutoCloseable c) {
                    c.close();
                }
                throw CliException.failure("add: interrupted while adding the device; it is deleted");
            }
            signal(readyFile, "added " + dev.id());
            boolean letGo = service && dev.recovery() != Recovery.OFF;
            Signals.install("dev " + dev.id(), letGo ? "letting go of" : "stopping and deleting",
                    letGo ? "; it waits for the next server" : "", err);
            if (dev.recovery() != Recovery.OFF) {
                new ServerState(dev.id(), ProcessHandle.current().pid(), s.asOptions()).write(RunDirectory.path());
            }
            dev.runQueues(s.affinity());
            dev.start();
            server.publishStats(dev);
            out.println(s.describe(dev.info(), dev.params().sizeBytes(), target.capabilities().readOnly()));
            if (takeOver >= 0) {
                out.println("dev " + dev.id() + ": taken over; waiting IO flows again");
            }
            out.println("serving in process " + ProcessHandle.current().pid()
                    + " until SIGINT/SIGTERM or 'jublk del -n " + dev.id() + "'");
            out.flush();
            signal(readyFile, "live " + dev.id());
            server.notifier.ready(dev.id());
            dev.awaitStopped();
            boolean fromOutside = !server.isShutDown();
            if (fromOutside && dev.recovery() != Recovery.OFF && isBeingQuiesced(dev)) {
                // 'jublk quiesce': leave the device, its queued IO and its state to the next server.
                server.detach();
                out.println("dev " + dev.id() + ": quiesced; this server exits, the device waits for 'jublk recover -n "
                        + dev.id() + "'");
                return 0;
            }
            server.shutdown();
            if (fromOutside) {
                out.println("dev " + dev.id() + ": stopped from outside; deleted");
            }
            return 0;
        } finally {
            server.shutdown();
            ShutdownHooks.remove(hook);
        }
    }

    /** @return false when shutdown already began (the caller then closes what it holds) */
    private synchronized boolean adopt(BlockTarget t, UblkDevice d) {
        if (shutDown) {
            return false;
        }
        target = t;
        device = d;
        return true;
    }

    private synchronized void publishStats(UblkDevice d) {
        if (!shutDown) {
            stats = StatsPublisher.start(d, RunDirectory.path());
        }
    }

    private synchronized void stopStats() {
        if (stats != null) {
            stats.close();
            stats = null;
        }
    }

    private synchronized boolean isShutDown() {
        return shutDown;
    }

    /** What a signal does: a service lets go of a device with recovery, anything else deletes it. */
    private synchronized void onSignal() {
        if (service && !shutDown && device != null && device.recovery() != Recovery.OFF) {
            detach();
            int id = device.id();
            Main.printLines(err, "dev " + id + ": let go; it waits for the next server ('jublk recover -n " + id
                    + "', or this service's next start)");
            return;
        }
        shutdown();
    }

    /** Stops and deletes the device, then frees the target. Idempotent; waits for a close in progress. */
    private synchronized void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        notifier.stopping();
        stopStats();
        if (device != null) {
            try {
                device.close();
                RunDirectory.removeState(device.id());
            } catch (UblkException e) {
                // Someone else (jublk del after a timeout) deleted it first: nothing is left.
                if (!Host.noSuchDevice(e)) {
                    Main.printLines(err, "deleting dev " + device.id() + ": " + e.getMessage());
                } else {
                    RunDirectory.removeState(device.id());
                }
            }
        }
        closeTarget();
    }

    /** Lets go of a quiesced device, keeping it and its state for the next server. */
    private synchronized void detach() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        notifier.stopping();
        stopStats();
        try {
            device.detach();
        } catch (RuntimeException e) {
            Main.printLines(err, "letting go of dev " + device.id() + ": " + e.getMessage());
        }
        closeTarget();
    }

    private void closeTarget() {
        if (target instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                Main.printLines(err, "closing the target: " + e);
            }
        }
    }

    /**
     * Why the queues ended: STOP_DEV marks the device dead before it aborts the fetches, QUIESCE_DEV
     * leaves it live (quiesced once this server lets go).
     */
    private static boolean isBeingQuiesced(UblkDevice dev) {
        try {
            return dev.control().deviceInfo(dev.id()).state() != UblkCmd.UBLK_S_DEV_DEAD;
        } catch (UblkException e) {
            return false;
        }
    }

    /**
     * Appends a line to the ready file atomically (a whole new file renamed over it), so the
     * parent never reads half a line.
     */
    private static void signal(Path readyFile, String line) throws IOException {
        if (readyFile == null) {
            return;
        }
        String before = Files.exists(readyFile) ? Files.readString(readyFile) : "";
        Path tmp = readyFile.resolveSibling(readyFile.getFileName() + ".tmp");
        Files.writeString(tmp, before + line + "\n");
        Files.move(tmp, readyFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
