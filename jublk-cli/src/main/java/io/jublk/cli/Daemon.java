// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A device's server as a detached process of its own ({@code jublk add} and {@code jublk recover}
 * without {@code --foreground}): started in its own session with its output in a log, and
 * waited for until it reports the device live through a ready file.
 */
final class Daemon {
    /** How long to wait for the server to be live unless {@code --timeout} says otherwise. */
    static final int DEFAULT_TIMEOUT_SECONDS = 120;

    private Daemon() {
    }

    /**
     * Starts a detached server for the device and waits until it is live.
     *
     * @param s the device's settings
     * @param takeOver the device to take over (recover), or -1 to add a new one
     * @param timeoutSeconds how long to wait
     * @param out where the device is described
     * @param err where problems go
     * @return the exit status
     * @throws Exception when the server fails; nothing is left behind
     */
    static int spawn(AddSettings s, int takeOver, int timeoutSeconds, PrintStream out, PrintStream err) throws Exception {
        try (UblkControl ctl = UblkControl.open()) {
            if (takeOver < 0 && s.id() >= 0 && Host.findDevice(ctl, s.id()) != null) {
                throw CliException.failure("add: device " + s.id() + " already exists (see 'jublk list'); choose another id or leave out -n");
            }
        }
        Path dir = RunDirectory.path();
        long self = ProcessHandle.current().pid();
        Path log = dir.resolve("add-" + self + ".log");
        Path ready = dir.resolve("add-" + self + ".ready");
        Files.deleteIfExists(ready);
        Process child = new ProcessBuilder(serverCommand(s, takeOver, ready))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectErrorStream(true)
                .start();
        // Until the device is live, the server is ours: if we are interrupted, it goes too.
        Thread hook = ShutdownHooks.add("jublk-add-abort", () -> {
            child.destroy();
            try {
                child.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            child.destroyForcibly();
        });
        int id = -1;
        boolean live = false;
        String failure = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (true) {
                String state = Files.exists(ready) ? Files.readString(ready) : "";
                for (String line : state.lines().toList()) {
                    String[] w = line.split(" ");
                    if (w.length == 2 && (w[0].equals("added") || w[0].equals("live"))) {
                        id = Integer.parseInt(w[1]);
                        live |= w[0].equals("live");
                    }
                }
                if (live) {
                    break;
                }
                if (!child.isAlive()) {
                    failure = childFailure(log, child.exitValue());
                    break;
                }
                if (System.nanoTime() > deadline) {
                    failure = "add: the server (pid " + child.pid() + ") did not bring the device up within " + timeoutSeconds
                            + " s; stopped it" + lastLines(log);
                    stopChild(child);
                    break;
                }
                Thread.sleep(50);
            }
        } finally {
            ShutdownHooks.remove(hook);
            Files.deleteIfExists(ready);
        }
        if (!live) {
            stopChild(child);
            if (id >= 0 && takeOver < 0) {
                removeLeftover(id, err);
                RunDirectory.removeState(id);
            }
            Files.deleteIfExists(log);
            throw CliException.failure(failure);
        }
        Path finalLog = dir.resolve("ublkb" + id + ".log");
        try {
            Files.move(log, finalLog, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            finalLog = log;
        }
        UblkDeviceInfo info;
        UblkParams params;
        try (UblkControl ctl = UblkControl.open()) {
            info = ctl.deviceInfo(id);
            params = ctl.getParams(id, info.has(UblkFeature.UNPRIVILEGED_DEV));
        }
        out.println(s.describe(info, params.sizeBytes(), (params.attrs() & UblkCmd.UBLK_ATTR_READ_ONLY) != 0));
        if (takeOver >= 0) {
            out.println("dev " + id + ": taken over; waiting IO flows again");
        }
        out.println("server pid " + child.pid() + ", log " + finalLog + "; stop it with 'jublk del -n " + id + "'");
        return 0;
    }

    /** @return the command line of a foreground server in a session of its own, reporting to {@code ready} */
    private static List<String> serverCommand(AddSettings s, int takeOver, Path ready) {
        List<String> cmd = new ArrayList<>();
        Path setsid = Host.which("setsid");
        if (setsid != null) {
            // Its own session: the terminal's SIGINT and SIGHUP do not reach the server.
            cmd.add(setsid.toString());
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        // The server's log shows what this command line asked to see.
        cmd.addAll(Collections.nCopies(CliLogging.verbosity(), "-v"));
        cmd.addAll(List.of("add", "--foreground", "--ready-file", ready.toString()));
        if (takeOver >= 0) {
            cmd.addAll(List.of("--take-over", Integer.toString(takeOver)));
        }
        cmd.addAll(s.asOptions());
        return cmd;
    }

    private static void stopChild(Process child) throws InterruptedException {
        if (child.isAlive()) {
            child.destroy();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The server's own error lines, or the end of its log. */
    private static String childFailure(Path log, int status) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        List<String> errors = lines.stream().filter(l -> l.startsWith("jublk: ")).map(l -> l.substring(7)).toList();
        if (!errors.isEmpty()) {
            return String.join("\n", errors);
        }
        return "add: the server exited with status " + status + " before the device was live" + lastLines(log);
    }

    private static String lastLines(Path log) {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
            if (lines.isEmpty()) {
                return "";
            }
            return "; its output ends:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** Deletes a device a failed server left behind. */
    private static void removeLeftover(int id, PrintStream err) {
        try (UblkControl ctl = UblkControl.open()) {
            if (Host.findDevice(ctl, id) == null) {
                return;
            }
            UblkDeviceInfo info = ctl.deviceInfo(id);
            boolean unpriv = info.has(UblkFeature.UNPRIVILEGED_DEV);
            ctl.stopDevice(id, unpriv);
            ctl.deleteDevice(id, unpriv);
        } catch (UblkException e) {
            Main.printLines(err, "add: could not delete dev " + id + " the failed server left: " + e.getMessage()
                    + "\ndelete it with 'jublk del -n " + id + "'");
        }
    }
}
