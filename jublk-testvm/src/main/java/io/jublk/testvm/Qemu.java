// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The qemu-system-x86_64 command line of one run. */
final class Qemu {
    /**
     * Kernel parameters: serial console for the log file, power off (not reboot) on panic, and
     * a few probes that only cost boot time under TCG switched off.
     */
    static final String KERNEL_PARAMS = String.join(" ",
            "console=ttyS0", "rdinit=/init", "panic=-1", "mitigations=off",
            "i8042.noaux", "i8042.nomux", "i8042.nopnp", "i8042.dumbkbd", "8250.nr_uarts=1",
            "random.trust_cpu=on", "tsc=reliable", "no_timer_check", "lpj=10000000", "loglevel=4");

    /**
     * The guest CPU. Not {@code max}: QEMU 7.2 (Debian bookworm) was the first to emulate AVX/AVX2
     * under TCG, and with {@code max} HotSpot uses them (UseAVX=2, AVX2 SHA-256 and array stubs);
     * guest JVMs were seen to die with SIGSEGV in ordinary Java code (SHA-256, array fill) there.
     * Westmere stops at SSE4.2/POPCNT/AES-NI/PCLMULQDQ (no AVX, no XSAVE), so HotSpot (UseAVX=0,
     * no SHA intrinsic), fio and mkfs take their SSE paths, which TCG runs faster than its AVX
     * helpers. {@code JUBLK_VM_CPU} overrides it, for debugging.
     */
    static final String CPU_MODEL = "Westmere";

    /**
     * The TCG threading. Not {@code multi}: with one host thread per vCPU, a guest JVM could
     * jump into code its JIT had just installed from another vCPU and fault at the very first
     * instruction (SIGSEGV at offset 0 of a fresh C1 method), so self-modifying code is not safe
     * there. One thread for all vCPUs is slower but keeps JIT-compiled code coherent.
     * {@code JUBLK_VM_TCG_THREAD=multi} overrides it, e.g. for benchmarks, which then keep each
     * JVM's threads on one vCPU.
     */
    static final String TCG_THREAD = "single";

    private Qemu() {
    }

    /** {@link #TCG_THREAD}, or {@code override} (JUBLK_VM_TCG_THREAD) when set. */
    static String tcgThread(String override) {
        return override == null || override.isBlank() ? TCG_THREAD : override.strip();
    }

    /** {@link #CPU_MODEL}, or {@code override} (JUBLK_VM_CPU) when set. */
    static String cpuModel(String override) {
        return override == null || override.isBlank() ? CPU_MODEL : override.strip();
    }

    /** Our parameters plus {@code extra} (JUBLK_VM_KERNEL_ARGS, for debugging), which win. */
    static String kernelParams(String extra) {
        return extra == null || extra.isBlank() ? KERNEL_PARAMS : KERNEL_PARAMS + " " + extra.strip();
    }

    /**
     * A raw image file as the guest's virtio disk {@code /dev/vda}, when {@code image}
     * (JUBLK_VM_DISK) names one: for a file system on a real block device, e.g. in benchmarks.
     */
    static List<String> disk(String image) {
        if (image == null || image.isBlank()) {
            return List.of();
        }
        return List.of("-drive", "file=" + escape(image.strip()) + ",format=raw,if=virtio,cache=writeback");
    }

    /** QEMU option values double their commas. */
    static String escape(String value) {
        return value.replace(",", ",,");
    }

    static List<String> command(VmConfig config, Kernel kernel, Path initramfs, Path share,
                                Path consoleLog, Path guestStderr) {
        List<String> c = new ArrayList<>(List.of(
                "qemu-system-x86_64",
                "-accel", "tcg,thread=" + tcgThread(System.getenv("JUBLK_VM_TCG_THREAD")),
                "-cpu", cpuModel(System.getenv("JUBLK_VM_CPU")),
                "-M", "q35",
                "-smp", Integer.toString(config.cpus()),
                "-m", config.memory(),
                "-nodefaults", "-no-user-config",
                "-display", "none",
                "-no-reboot",
                "-kernel", kernel.vmlinuz().toString(),
                "-initrd", initramfs.toString(),
                "-append", kernelParams(System.getenv("JUBLK_VM_KERNEL_ARGS")),
                "-serial", "file:" + consoleLog,
                "-virtfs", "local,path=/,mount_tag=" + GuestScripts.ROOT_TAG
                        + ",security_model=none,readonly=on,multidevs=remap",
                "-virtfs", "local,path=" + escape(share.toString()) + ",mount_tag=" + GuestScripts.SHARE_TAG
                        + ",security_model=none",
                "-device", "virtio-serial-pci,id=jublkser",
                "-chardev", "stdio,id=jublkstdio,signal=off",
                "-device", "virtserialport,bus=jublkser.0,chardev=jublkstdio,name=" + GuestScripts.STDIO_PORT,
                "-chardev", "file,id=jublkstderr,path=" + escape(guestStderr.toString()),
                "-device", "virtserialport,bus=jublkser.0,chardev=jublkstderr,name=" + GuestScripts.STDERR_PORT));
        c.addAll(disk(System.getenv("JUBLK_VM_DISK")));
        return c;
    }
}
