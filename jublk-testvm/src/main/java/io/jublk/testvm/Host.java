// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The host side's surroundings: repository scripts, tools and the cache directory. */
final class Host {
    /** Tool → Debian package that provides it. */
    static final Map<String, String> TOOLS = new LinkedHashMap<>();

    static {
        TOOLS.put("qemu-system-x86_64", "qemu-system-x86");
        TOOLS.put("xz", "xz-utils");
        TOOLS.put("depmod", "kmod");
        TOOLS.put("modprobe", "kmod");
        TOOLS.put("mkfifo", "coreutils");
        TOOLS.put("apt-get", "apt");
        TOOLS.put("dpkg-deb", "dpkg");
        // Run by the integration tests inside the guest, which sees the host's root.
        TOOLS.put("fio", "fio");
        TOOLS.put("mkfs.ext4", "e2fsprogs");
        // NBD servers for the nbd target's tests.
        TOOLS.put("qemu-nbd", "qemu-utils");
        TOOLS.put("nbdkit", "nbdkit");
    }

    private static final List<String> BUSYBOX_PATHS = List.of("/bin/busybox", "/usr/bin/busybox");

    private Host() {
    }

    /**
     * The repository root (holding scripts/debian-kernel): system property jublk.root, env
     * JUBLK_ROOT, else found upwards from this class's location or the working directory.
     */
    static Path repoRoot() {
        String explicit = System.getProperty("jublk.root", System.getenv("JUBLK_ROOT"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath();
        }
        List<Path> starts = new ArrayList<>();
        try {
            var source = Host.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                starts.add(Path.of(source.getLocation().toURI()));
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall back to the working directory
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("scripts/debian-kernel"))) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("cannot find the jublk repository (scripts/debian-kernel); set JUBLK_ROOT");
    }

    static Path cacheDir() {
        String env = System.getenv("JUBLK_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "jublk");
    }

    static Optional<Path> which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** A statically linked busybox (the initramfs has no libc), if installed. */
    static Optional<Path> staticBusybox() {
        for (String p : BUSYBOX_PATHS) {
            Path path = Path.of(p);
            try {
                if (Files.isRegularFile(path) && isStaticElf(Files.readAllBytes(path))) {
                    return Optional.of(path);
                }
            } catch (IOException e) {
                // try the next one
            }
        }
        return Optional.empty();
    }

    /** True for a 64-bit little-endian ELF without a PT_INTERP program header. */
    static boolean isStaticElf(byte[] elf) {
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F'
                || elf[4] != 2 || elf[5] != 1) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            long off = phoff + (long) i * phentsize;
            if (off + 4 > elf.length) {
                return false;
            }
            if (b.getInt((int) off) == 3) { // PT_INTERP
                return false;
            }
        }
        return true;
    }

    /**
     * Makes sure the VM's host tools exist, running scripts/ensure-packages for the missing ones
     * (it installs them as root, else explains and fails).
     */
    static void ensureTools(Path repoRoot) {
        List<String> missing = new ArrayList<>();
        TOOLS.forEach((tool, pkg) -> {
            if (which(tool).isEmpty() && !missing.contains(pkg)) {
                missing.add(pkg);
            }
        });
        if (staticBusybox().isEmpty()) {
            missing.add("busybox-static");
        }
        if (missing.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(repoRoot.resolve("scripts/ensure-packages").toString());
        cmd.addAll(missing);
        int rc = runInheritingStderr(cmd);
        if (rc != 0) {
            throw new VmException("the VM needs Debian packages " + String.join(" ", missing)
                    + " (scripts/ensure-packages failed with status " + rc + ")");
        }
    }

    /** Runs a command with stdout captured, stderr passed through; returns stdout. */
    static String capture(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new VmException(String.join(" ", cmd) + " failed with status " + rc);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted");
        }
    }

    /** Runs a command with stdout redirected to our stderr (we keep stdout for the guest). */
    static int runInheritingStderr(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().transferTo(System.err);
            return p.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted");
        }
    }
}
