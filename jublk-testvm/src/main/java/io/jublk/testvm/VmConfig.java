// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One guest run.
 *
 * @param suite          Debian suite whose kernel boots (sid, trixie, trixie-backports)
 * @param memory         guest RAM, QEMU syntax (4G)
 * @param cpus           guest CPUs
 * @param timeout        wall-clock limit for the whole run, boot included
 * @param cwd            working directory of the command in the guest (a host path)
 * @param env            the command's whole environment
 * @param command        program and arguments, run as root with bash in the guest
 * @param modprobe       modules loaded before the command (ublk_drv)
 * @param forwardStdin   copy our stdin to the command's stdin (else it never sees input)
 * @param stdinEofGrace  when our stdin ends (the parent is gone), kill the VM this much later;
 *                       null: ignore the end (the guest is never told about it)
 * @param verbose        report boot timing and kernel version on stderr
 */
record VmConfig(String suite, String memory, int cpus, Duration timeout, Path cwd,
                Map<String, String> env, List<String> command, List<String> modprobe,
                boolean forwardStdin, Duration stdinEofGrace, boolean verbose) {
}
