// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real NBD server (nbdkit or qemu-nbd) on loopback or a Unix socket, for tests. The tools must be
 * installed (Debian packages nbdkit and qemu-utils); a test fails with a message saying so otherwise.
 */
final class NbdServer implements AutoCloseable {
    final Process process;
    final NbdUri uri;
    private final Path log;
    private final List<String> command;

    private NbdServer(Process process, NbdUri uri, Path log, List<String> command) {
        this.process = process;
        this.uri = uri;
        this.log = log;
        this.command = command;
    }

    /** {@code nbdkit [options] PLUGIN [args]}: options go before the plugin, e.g. "--no-sr", "--filter=delay". */
    static NbdServer nbdkit(Path dir, boolean unix, List<String> options, String... pluginAndArgs)
            throws IOException, InterruptedException {
        String exe = require("nbdkit", "nbdkit");
        List<String> cmd = new ArrayList<>(List.of(exe, "-f", "--exit-with-parent"));
        NbdUri uri;
        if (unix) {
            Path sock = dir.resolve("nbdkit.sock");
            cmd.addAll(List.of("-U", sock.toString()));
            uri = NbdUri.unix(sock, "");
        } else {
            int port = freePort();
            cmd.addAll(List.of("-i", "127.0.0.1", "-p", Integer.toString(port)));
            uri = NbdUri.tcp("127.0.0.1", port, "");
        }
        cmd.addAll(options);
        cmd.addAll(List.of(pluginAndArgs));
        return start(cmd, uri, dir.resolve("nbdkit.log"));
    }

    /** {@code qemu-nbd} serving a raw image as export {@code exportName}, discard passed through. */
    static NbdServer qemuNbd(Path dir, Path image, String exportName, boolean unix)
            throws IOException, InterruptedException {
        String exe = require("qemu-nbd", "qemu-utils");
        List<String> cmd = new ArrayList<>(List.of(exe, "-f", "raw", "-x", exportName, "-t", "-e", "8",
                "--discard=unmap"));
        NbdUri uri;
        if (unix) {
            Path sock = dir.resolve("qemu-nbd.sock");
            cmd.addAll(List.of("-k", sock.toString()));
            uri = NbdUri.unix(sock, exportName);
        } else {
            int port = freePort();
            cmd.addAll(List.of("-b", "127.0.0.1", "-p", Integer.toString(port)));
            uri = NbdUri.tcp("127.0.0.1", port, exportName);
        }
        cmd.add(image.toString());
        return start(cmd, uri, dir.resolve("qemu-nbd.log"));
    }

    private static NbdServer start(List<String> cmd, NbdUri uri, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        NbdServer server = new NbdServer(p, uri, log, cmd);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            if (!p.isAlive()) {
                fail(cmd + " exited with " + p.exitValue() + ": " + server.output());
            }
            try (SocketChannel probe = uri.isUnix()
                    ? SocketChannel.open(UnixDomainSocketAddress.of(uri.socketPath()))
                    : SocketChannel.open(new InetSocketAddress(uri.host(), uri.port()))) {
                return server;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    server.close();
                    fail(cmd + " did not start listening within 15 s: " + server.output());
                }
                Thread.sleep(20);
            }
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Starts the same server again on the same address (after {@link #kill()}): the same port, or
     * the same socket path, whose stale file a killed server leaves behind.
     */
    NbdServer restart() throws IOException, InterruptedException {
        kill();
        if (uri.isUnix()) {
            Files.deleteIfExists(uri.socketPath());
        }
        return start(command, uri, log);
    }

    /** The same server on the same address, with the given arguments in place of the old last ones. */
    NbdServer restartWith(int replaceLast, String... last) throws IOException, InterruptedException {
        kill();
        if (uri.isUnix()) {
            Files.deleteIfExists(uri.socketPath());
        }
        List<String> cmd = new ArrayList<>(command.subList(0, command.size() - replaceLast));
        cmd.addAll(List.of(last));
        return start(cmd, uri, log);
    }

    /** SIGKILL, then wait for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String require(String tool, String debianPackage) {
        String found = find(tool);
        if (found == null) {
            install(debianPackage);
            found = find(tool);
        }
        if (found == null) {
            fail(tool + " is not installed; these tests need the Debian package " + debianPackage
                    + " (install with: scripts/ensure-packages qemu-utils nbdkit)");
        }
        return found;
    }

    /** Runs scripts/ensure-packages, which installs as root and otherwise says what to install. */
    private static void install(String debianPackage) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path script = dir.resolve("scripts/ensure-packages");
            if (Files.isExecutable(script)) {
                try {
                    new ProcessBuilder(script.toString(), debianPackage).inheritIO().start().waitFor();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
    }

    private static String find(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
