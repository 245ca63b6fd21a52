// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostTest {
    /** A minimal ELF64 header with program headers of the given types. */
    static byte[] elf(int... phTypes) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 * phTypes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putLong(0x20, 64);
        b.putShort(0x36, (short) 56);
        b.putShort(0x38, (short) phTypes.length);
        for (int i = 0; i < phTypes.length; i++) {
            b.putInt(64 + 56 * i, phTypes[i]);
        }
        return b.array();
    }

    @Test
    void staticElfHasNoInterpreter() {
        assertTrue(Host.isStaticElf(elf(1, 1, 4)));
        assertFalse(Host.isStaticElf(elf(6, 3, 1)));
        assertFalse(Host.isStaticElf("#!/bin/sh\necho not elf\n".getBytes()));
        assertFalse(Host.isStaticElf(new byte[10]));
    }

    @Test
    void realBinaries() throws Exception {
        Path bash = Path.of("/bin/bash");
        assumeTrue(Files.isRegularFile(bash));
        assertFalse(Host.isStaticElf(Files.readAllBytes(bash)), "bash is dynamically linked");
        Host.staticBusybox().ifPresent(p -> assertTrue(p.toString().endsWith("busybox")));
    }

    @Test
    void repoRootHoldsTheScripts() {
        Path root = Host.repoRoot();
        assertTrue(Files.isRegularFile(root.resolve("scripts/debian-kernel")));
        assertTrue(Files.isRegularFile(root.resolve("scripts/ensure-packages")));
    }

    @Test
    void qemuCommandLine() {
        VmConfig c = VmMain.parse(List.of("run", "--cpus", "3", "--memory", "2G", "--", "true"),
                java.util.Map.of(), Path.of("/"), "/jdk");
        Kernel k = new Kernel("7.2.13+deb14-amd64", Path.of("/k"));
        List<String> cmd = Qemu.command(c, k, Path.of("/i.cpio"), Path.of("/tmp/a,b"),
                Path.of("/tmp/console.log"), Path.of("/tmp/err"));
        String line = String.join(" ", cmd);
        assertEquals("qemu-system-x86_64", cmd.getFirst());
        String cpu = Qemu.cpuModel(System.getenv("JUBLK_VM_CPU"));
        assertTrue(line.contains("-accel tcg,thread=single -cpu " + cpu + " -M q35 -smp 3 -m 2G"), line);
        assertTrue(line.contains("-kernel /k/boot/vmlinuz-7.2.13+deb14-amd64 -initrd /i.cpio"), line);
        assertTrue(line.contains("local,path=/,mount_tag=jublkroot,security_model=none,readonly=on"), line);
        assertTrue(line.contains("local,path=/tmp/a,,b,mount_tag=jublkshare"), line);
        assertTrue(line.contains("-chardev stdio,id=jublkstdio,signal=off"), line);
        assertTrue(line.contains("name=jublk.stdio"), line);
        assertTrue(line.contains("-serial file:/tmp/console.log"), line);
        assertTrue(line.contains("-no-reboot") && line.contains("-nodefaults"), line);
        assertTrue(Qemu.kernelParams("a=b").endsWith(" a=b"));
    }

    @Test
    void cpuModelIsWestmereUnlessOverridden() {
        // Not "max": QEMU 7.2's TCG AVX/AVX2 crashed guest JVMs (see Qemu.CPU_MODEL).
        assertEquals("Westmere", Qemu.cpuModel(null));
        assertEquals("Westmere", Qemu.cpuModel(" "));
        assertEquals("max", Qemu.cpuModel(" max "));
    }
}
