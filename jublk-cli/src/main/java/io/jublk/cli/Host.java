// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.uring.Errno;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkControl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the CLI asks of the host: the ublk driver, root, processes, external tools. Stateless. */
final class Host {
    private Host() {
    }

    /**
     * Fails unless {@code /dev/ublk-control} exists.
     *
     * @throws CliException saying to load the driver
     */
    static void requireDriver() throws CliException {
        if (!Files.exists(Path.of(UblkControl.CONTROL_PATH))) {
            throw CliException.failure(UblkControl.CONTROL_PATH + " does not exist: the ublk_drv kernel module is not loaded: "
                    + "run 'modprobe ublk_drv' as root (it needs Linux 6.4 or newer)");
        }
    }

    /**
     * Fails unless the driver is there and we may use it: as root, or as a user who may open
     * {@code /dev/ublk-control} (unprivileged devices, see the README).
     *
     * @param what the command, for the message
     * @throws CliException saying what is missing
     */
    static void requireDriverAccess(String what) throws CliException {
        requireDriver();
        if (effectiveUid() != 0 && !Files.isWritable(Path.of(UblkControl.CONTROL_PATH))) {
            throw CliException.failure(what + " needs root, or write access to " + UblkControl.CONTROL_PATH
                    + " for unprivileged devices (see the README: 'Unprivileged devices'): run it with sudo");
        }
    }

    /**
     * @param ctl the control device
     * @param id a device id
     * @return the device's info, or {@code null} when there is no such device
     * @throws UblkException when its info cannot be read for another reason
     */
    static UblkDeviceInfo findDevice(UblkControl ctl, int id) throws UblkException {
        try {
            return ctl.deviceInfo(id);
        } catch (UblkException e) {
            if (noSuchDevice(e)) {
                return null;
            }
            throw e;
        }
    }

    /**
     * @param e a control command's failure
     * @return whether it failed because the device does not exist (any more)
     */
    static boolean noSuchDevice(UblkException e) {
        return e.errno() == Errno.ENODEV || e.errno() == Errno.ENOENT;
    }

    /**
     * @param ctl the control device
     * @param id a device id
     * @param command the command asking, for the message
     * @return the device's info
     * @throws CliException when there is no such device
     * @throws UblkException when its info cannot be read for another reason
     */
    static UblkDeviceInfo requireDevice(UblkControl ctl, int id, String command) throws CliException, UblkException {
        UblkDeviceInfo info = findDevice(ctl, id);
        if (info == null) {
            throw CliException.failure(command + ": there is no ublk device " + id + " (see 'jublk list')");
        }
        return info;
    }

    /** @return whether this process adds unprivileged devices (it is not root) */
    static boolean unprivileged() {
        return effectiveUid() != 0;
    }

    /** @return the effective uid, from /proc/self/status; -1 when unreadable */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux, or no /proc: the kernel will say what it thinks.
        }
        return -1;
    }

    /**
     * @param pid a process id
     * @return whether the process exists (and is not a zombie)
     */
    static boolean isAlive(int pid) {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** @return the running kernel's release, e.g. {@code 6.12.8-amd64}, or "unknown" */
    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Finds a program on the PATH, plus the sbin directories (mkfs lives there and sudo may not
     * have them on the PATH).
     *
     * @param name the program
     * @return its path, or {@code null}
     */
    static Path which(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The result of an external command.
     *
     * @param status its exit status
     * @param stdout what it wrote on stdout
     * @param stderr what it wrote on stderr
     * @param elapsed how long it ran
     */
    record ExecResult(int status, String stdout, String stderr, Duration elapsed) {
        /** @return stderr, else stdout, trimmed to its last lines: for error messages */
        String tail() {
            String text = stderr.isBlank() ? stdout : stderr;
            List<String> lines = text.strip().lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        }
    }

    /**
     * Runs an external command to completion, stdin from /dev/null, capturing its output.
     *
     * @param timeout how long it may run before it is killed
     * @param command the program and its arguments
     * @return its result
     * @throws CliException when it cannot start or runs out of time
     */
    static ExecResult exec(Duration timeout, List<String> command) throws CliException {
        long start = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw CliException.failure("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread drainOut = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                throw CliException.failure(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s");
            }
            drain.join();
            drainOut.join();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw CliException.failure(command.getFirst() + " was interrupted");
        }
        return new ExecResult(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Runs an external command and fails unless it exits 0.
     *
     * @param timeout how long it may run
     * @param command the program and its arguments
     * @return its result
     * @throws CliException with the command and the end of its output when it fails
     */
    static ExecResult execChecked(Duration timeout, List<String> command) throws CliException {
        ExecResult r = exec(timeout, command);
        if (r.status() != 0) {
            throw CliException.failure(String.join(" ", command) + " failed with status " + r.status()
                    + (r.tail().isEmpty() ? "" : ":\n" + r.tail()));
        }
        return r;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // The process went away; what was read is what there is.
        }
    }
}
