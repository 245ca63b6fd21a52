// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An unpacked Debian kernel: {@code root} holds boot/vmlinuz-KV and lib/modules/KV (as made by
 * scripts/debian-kernel).
 */
record Kernel(String version, Path root) {
    Path vmlinuz() {
        return root.resolve("boot/vmlinuz-" + version);
    }

    /** lib/modules/KV with symlinks resolved (the guest sees the host's real paths). */
    Path moduleDir() {
        try {
            return root.resolve("lib/modules/" + version).toRealPath();
        } catch (java.io.IOException e) {
            throw new VmException("kernel " + version + " has no lib/modules under " + root, e);
        }
    }

    /** JUBLK_KERNEL_DIR if set, else scripts/debian-kernel SUITE (downloading when needed). */
    static Kernel locate(Path repoRoot, String suite) {
        String explicit = System.getenv("JUBLK_KERNEL_DIR");
        Path dir;
        if (explicit != null && !explicit.isBlank()) {
            dir = Path.of(explicit);
        } else {
            String out = Host.capture(List.of(repoRoot.resolve("scripts/debian-kernel").toString(), suite));
            String[] lines = out.strip().split("\n");
            dir = Path.of(lines[lines.length - 1].strip());
        }
        Kernel k = new Kernel(dir.getFileName().toString(), dir.toAbsolutePath());
        if (!Files.isRegularFile(k.vmlinuz())) {
            throw new VmException("no " + k.vmlinuz());
        }
        return k;
    }
}
