// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds (once per kernel, cached) the busybox initramfs: busybox-static, /init (stage 1) and
 * the modules needed to reach the host's root, decompressed because busybox insmod cannot read
 * .ko.xz.
 */
final class Initramfs {
    /**
     * What stage 1 loads: the way to the host's root, and ublk_drv (insmod from RAM is much
     * faster than modprobe over 9p). Built-in ones are skipped, dependencies (netfs, 9pnet) added.
     */
    static final List<String> MODULES = List.of(
            "virtio_pci", "virtio_console", "9pnet_virtio", "9p", "overlay", "ublk_drv");

    private Initramfs() {
    }

    static Path build(Kernel kernel, Path busybox, Path cacheDir) throws IOException {
        Path moduleDir = kernel.moduleDir();
        KernelModules modules = KernelModules.load(moduleDir);
        List<String> order = modules.loadOrder(MODULES);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            files.add(String.format("%02d-%s.ko", i, order.get(i)));
        }
        String init = GuestScripts.init(files);

        String key = digest(kernel.version() + "\n" + init + "\n" + busybox + Files.size(busybox)
                + Files.getLastModifiedTime(busybox));
        Path target = cacheDir.resolve("initramfs").resolve(kernel.version() + "-" + key + ".cpio");
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), ".initramfs", ".tmp");
        try {
            try (Cpio cpio = new Cpio(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
                for (String dir : List.of("bin", "dev", "proc", "sys", "mnt", "modules")) {
                    cpio.directory(dir, 0755);
                }
                cpio.charDevice("dev/console", 0600, 5, 1);
                cpio.charDevice("dev/null", 0666, 1, 3);
                cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
                cpio.file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < order.size(); i++) {
                    cpio.file("modules/" + files.get(i), 0644,
                            decompress(moduleDir.resolve(modules.path(order.get(i)))));
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    /** The module's ELF bytes, whatever compression Debian used. */
    static byte[] decompress(Path ko) throws IOException {
        String name = ko.getFileName().toString();
        String tool;
        if (name.endsWith(".ko")) {
            return Files.readAllBytes(ko);
        } else if (name.endsWith(".xz")) {
            tool = "xz";
        } else if (name.endsWith(".zst")) {
            tool = "zstd";
        } else if (name.endsWith(".gz")) {
            tool = "gzip";
        } else {
            throw new IOException("unknown module compression: " + ko);
        }
        Process p = new ProcessBuilder(tool, "-dc", ko.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] bytes;
        try (InputStream in = p.getInputStream()) {
            bytes = in.readAllBytes();
        }
        try {
            if (p.waitFor() != 0) {
                throw new IOException(tool + " -dc " + ko + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return bytes;
    }

    private static String digest(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
