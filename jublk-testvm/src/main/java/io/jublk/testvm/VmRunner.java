// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Boots the VM for one command and returns the command's exit status.
 *
 * <p>Our stdout is QEMU's stdout, which carries what the command writes to the virtio port
 * {@value GuestScripts#STDIO_PORT}; our stdin is copied to QEMU's stdin and from there to the
 * command's stdin on the same port. Both are byte-clean (no tty in between). The command's
 * stderr arrives over a second port through a FIFO and goes to our stderr. The kernel console
 * goes to a log file whose tail is printed when the guest fails to report a status.
 */
public final class VmRunner {
    /** Exit status when the wall-clock limit was hit (like timeout(1)). */
    public static final int TIMED_OUT = 124;
    /** Exit status when the guest ended without reporting the command's status. */
    public static final int NO_STATUS = 125;

    private static final int CONSOLE_TAIL_LINES = 60;

    private final VmConfig config;
    private final OutputStream err = new FileOutputStream(FileDescriptor.err);

    public VmRunner(VmConfig config) {
        this.config = config;
    }

    public int run() throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Path root = Host.repoRoot();
        Host.ensureTools(root);
        Path busybox = Host.staticBusybox().orElseThrow(() -> new VmException("no static busybox"));
        Kernel kernel = Kernel.locate(root, config.suite());
        Path initramfs = Initramfs.build(kernel, busybox, Host.cacheDir());
        if (config.verbose()) {
            // Said up front too: a build log then names the kernel of a run that never returns.
            note("booting kernel " + kernel.version() + " (" + config.suite() + ")");
        }

        Path work = Files.createTempDirectory("jublk-vm-");
        Path share = Files.createDirectory(work.resolve("share"));
        Path console = work.resolve("console.log");
        Path fifo = work.resolve("guest-stderr");
        Host.capture(List.of("mkfifo", "-m", "600", fifo.toString()));
        Files.writeString(share.resolve(GuestScripts.MODULES_DIR_FILE), kernel.moduleDir() + "\n");
        Files.writeString(share.resolve(GuestScripts.KEEP_PATHS_FILE),
                String.join("\n", GuestScripts.pathsToKeep(List.of(config.cwd(), root))) + "\n");
        String job = GuestScripts.job(new GuestScripts.Job(
                config.cwd().toString(), config.env(), config.command(), config.modprobe(),
                trace()));
        Files.writeString(share.resolve(GuestScripts.JOB_FILE), job);

        List<String> cmd = new ArrayList<>();
        // Bounds qemu's life even if we die without running our shutdown hook (SIGKILL); our
        // SIGTERM reaches qemu through timeout(1).
        cmd.addAll(List.of("timeout", "-k", "10", Long.toString(config.timeout().toSeconds() + 30)));
        cmd.addAll(Qemu.command(config, kernel, initramfs, share, console, fifo));
        long tBoot = System.nanoTime();
        Process qemu = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.PIPE)
                .start();
        Thread hook = new Thread(() -> killVm(qemu), "jublk-vm-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        StringBuilder qemuErrors = new StringBuilder();
        daemon("jublk-vm-qemu-stderr", () -> pumpQemuStderr(qemu.getErrorStream(), qemuErrors));
        daemon("jublk-vm-guest-stderr", () -> pumpGuestStderr(fifo));
        daemon("jublk-vm-stdin", () -> pumpStdin(qemu));

        boolean exited = qemu.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            killVm(qemu);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        long tEnd = System.nanoTime();
        String keepConsole = System.getenv("JUBLK_VM_CONSOLE");
        if (keepConsole != null && !keepConsole.isBlank() && Files.exists(console)) {
            Files.copy(console, Path.of(keepConsole), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path status = share.resolve(GuestScripts.STATUS_FILE);
        String uptime = readIfExists(share.resolve(GuestScripts.UPTIME_FILE));
        if (config.verbose()) {
            note(String.format("kernel %s (%s); setup %.1f s; job started at guest uptime %s s; VM ran %.1f s",
                    kernel.version(), config.suite(), (tBoot - t0) / 1e9,
                    uptime == null ? "?" : uptime.strip(), (tEnd - tBoot) / 1e9));
        }
        if (!exited) {
            note("timed out after " + config.timeout().toSeconds() + " s; killed the VM (kernel "
                    + kernel.version() + ")");
            printConsoleTail(console);
            note("console log kept in " + console);
            return TIMED_OUT;
        }
        String statusText = readIfExists(status);
        if (statusText == null || !statusText.strip().matches("\\d+")) {
            note("the guest ended without reporting the command's status (qemu exit status "
                    + qemu.exitValue() + ", kernel " + kernel.version() + ")");
            if (!qemuErrors.isEmpty()) {
                note("qemu said: " + qemuErrors.toString().strip());
            }
            printConsoleTail(console);
            note("console log kept in " + console);
            return NO_STATUS;
        }
        deleteTree(work);
        return Integer.parseInt(statusText.strip());
    }

    /** JUBLK_VM_TRACE=1: stage 2 traces its commands, with uptimes, on the console. */
    static boolean trace() {
        return "1".equals(System.getenv("JUBLK_VM_TRACE"));
    }

    private void pumpQemuStderr(InputStream in, StringBuilder keep) {
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (keep) {
                    keep.append(line).append('\n');
                }
                // -cpu max under TCG lists the features it cannot emulate: noise.
                if (line.contains("TCG doesn't support requested feature")) {
                    continue;
                }
                writeErr(("qemu: " + line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // qemu is gone
        }
    }

    private void pumpGuestStderr(Path fifo) {
        try (InputStream in = Files.newInputStream(fifo)) {
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (err) {
                    err.write(buf, 0, n);
                    err.flush();
                }
            }
        } catch (IOException e) {
            // qemu is gone
        }
    }

    private void pumpStdin(Process qemu) {
        OutputStream toQemu = qemu.getOutputStream();
        if (config.forwardStdin()) {
            try (InputStream in = new FileInputStream(FileDescriptor.in)) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    toQemu.write(buf, 0, n);
                    toQemu.flush();
                }
            } catch (IOException e) {
                return; // qemu is gone
            }
            // Our stdin ended. QEMU's stdin is deliberately left open: at EOF QEMU would mark the
            // port closed and the guest's writes would then block.
            if (config.stdinEofGrace() != null) {
                try {
                    if (!qemu.waitFor(config.stdinEofGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                        note("stdin closed (parent gone?); stopping the VM");
                        killVm(qemu);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private static void killVm(Process qemu) {
        if (!qemu.isAlive()) {
            return;
        }
        qemu.destroy();
        try {
            if (!qemu.waitFor(5, TimeUnit.SECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            qemu.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void printConsoleTail(Path console) {
        try {
            List<String> lines = Files.exists(console)
                    ? Files.readAllLines(console, StandardCharsets.ISO_8859_1) : List.of();
            List<String> tail = lines.subList(Math.max(0, lines.size() - CONSOLE_TAIL_LINES), lines.size());
            StringBuilder s = new StringBuilder("---- guest console (last " + tail.size() + " lines) ----\n");
            for (String l : tail) {
                s.append(l).append('\n');
            }
            s.append("---- end of guest console ----\n");
            writeErr(s.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            note("cannot read the console log: " + e);
        }
    }

    private void note(String message) {
        writeErr(("jublk-vm: " + message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private void writeErr(byte[] bytes) {
        synchronized (err) {
            try {
                err.write(bytes);
                err.flush();
            } catch (IOException e) {
                // nowhere to report
            }
        }
    }

    private static String readIfExists(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : null;
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>(walk.sorted(Comparator.reverseOrder()).toList());
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp dir is harmless
        }
    }
}
