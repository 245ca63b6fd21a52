// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.ProcessCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;

/**
 * CPU sets of threads: binding the calling thread to CPUs ({@code sched_setaffinity(2)}), reading
 * its set, and the kernel's CPU list notation ({@code 0-3,8}, as in {@code Cpus_allowed_list} and
 * {@code taskset -c}).
 */
public final class CpuAffinity {
    /** The largest mask tried when reading a set: 32768 CPUs. */
    private static final int MAX_MASK_BYTES = 4096;

    private CpuAffinity() {
    }

    /**
     * Binds the calling thread to the given CPUs.
     *
     * @param cpus the CPU numbers; not empty
     * @throws IllegalArgumentException when the set is empty
     * @throws UblkException when the kernel refuses, e.g. EINVAL when none of the CPUs is online or
     *     allowed to this process
     */
    public static void pinCurrentThread(BitSet cpus) throws UblkException {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("no CPU to bind the thread to");
        }
        long[] words = cpus.toLongArray();
        try (Arena arena = Arena.ofConfined()) {
            // glibc's cpu_set_t is 128 bytes; a larger mask is fine, a smaller one too as long as it is whole words.
            MemorySegment mask = arena.allocate(Math.max(words.length, 16) * 8L, 8);
            MemorySegment.copy(words, 0, mask, ValueLayout.JAVA_LONG, 0, words.length);
            ProcessCalls.schedSetaffinity(0, mask);
        } catch (ErrnoException e) {
            String hint = e.errno() == Errno.EINVAL ? "none of CPUs " + format(cpus) + " is online and allowed to this process"
                    : null;
            throw new UblkException("sched_setaffinity to CPUs " + format(cpus), UblkException.NO_DEVICE, e.errno(), hint);
        }
    }

    /**
     * Reads the CPUs the calling thread may run on.
     *
     * @return the CPU numbers
     * @throws UblkException when the kernel refuses
     */
    public static BitSet currentThreadCpus() throws UblkException {
        try (Arena arena = Arena.ofConfined()) {
            for (int bytes = 128; ; bytes *= 2) {
                MemorySegment mask = arena.allocate(bytes, 8);
                try {
                    ProcessCalls.schedGetaffinity(0, mask);
                    return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
                } catch (ErrnoException e) {
                    // EINVAL: the kernel has more CPUs than the mask holds.
                    if (e.errno() != Errno.EINVAL || bytes >= MAX_MASK_BYTES) {
                        throw new UblkException("sched_getaffinity", UblkException.NO_DEVICE, e);
                    }
                }
            }
        }
    }

    /**
     * Parses a CPU list such as {@code 0-3,8,10-11}.
     *
     * @param list comma-separated CPU numbers and inclusive ranges
     * @return the CPUs
     * @throws IllegalArgumentException when the list is empty or malformed
     */
    public static BitSet parse(String list) {
        BitSet cpus = new BitSet();
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("empty CPU list: give CPU numbers and ranges such as 0-3,8");
        }
        for (String part : list.strip().split(",", -1)) {
            String item = part.strip();
            int dash = item.indexOf('-');
            int first = cpuNumber(dash < 0 ? item : item.substring(0, dash), list);
            int last = dash < 0 ? first : cpuNumber(item.substring(dash + 1), list);
            if (last < first) {
                throw new IllegalArgumentException("CPU range " + item + " in '" + list + "' runs backwards");
            }
            cpus.set(first, last + 1);
        }
        return cpus;
    }

    /**
     * Writes CPUs in the kernel's list notation.
     *
     * @param cpus the CPUs
     * @return e.g. {@code 0-3,8}; empty for no CPU
     */
    public static String format(BitSet cpus) {
        StringBuilder sb = new StringBuilder();
        for (int first = cpus.nextSetBit(0); first >= 0; ) {
            int end = cpus.nextClearBit(first);
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(first);
            if (end - 1 > first) {
                sb.append('-').append(end - 1);
            }
            first = cpus.nextSetBit(end);
        }
        return sb.toString();
    }

    private static int cpuNumber(String text, String list) {
        String digits = text.strip();
        if (digits.isEmpty() || digits.length() > 6 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' in CPU list '" + list + "' is no CPU number");
        }
        return Integer.parseInt(digits);
    }
}
