// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Where the thread serving a queue runs: anywhere ({@link #NONE}), on the CPUs the kernel reports
 * for the queue ({@link #KERNEL}, GET_QUEUE_AFFINITY: the CPUs whose requests land on it), or on
 * CPUs the application names per queue ({@link #cpus(List)}).
 *
 * <p>{@link UblkDevice#runQueues(QueueAffinity)} and {@link QueueRunner} apply it to the threads
 * they run; an application serving a queue on its own thread calls {@link #pinCurrentThread(UblkQueue)}
 * on that thread before {@link UblkQueue#start()}. Immutable.
 */
public final class QueueAffinity {
    /** No binding: the scheduler places each queue's thread. */
    public static final QueueAffinity NONE = new QueueAffinity(null);

    /** Each queue's thread on the CPUs the kernel maps to that queue (GET_QUEUE_AFFINITY). */
    public static final QueueAffinity KERNEL = new QueueAffinity(List.of());

    /** Per-queue CPU sets, queue q taking set {@code q % size}; empty for {@link #KERNEL}, null for {@link #NONE}. */
    private final List<BitSet> perQueue;

    private QueueAffinity(List<BitSet> perQueue) {
        this.perQueue = perQueue;
    }

    /**
     * Explicit CPUs per queue: queue q runs on {@code perQueue.get(q % perQueue.size())}, so one set
     * binds every queue to the same CPUs.
     *
     * @param perQueue the CPU sets, by queue id; none empty
     * @return the affinity
     * @throws IllegalArgumentException when the list or one of its sets is empty
     */
    public static QueueAffinity cpus(List<BitSet> perQueue) {
        if (perQueue.isEmpty()) {
            throw new IllegalArgumentException("no CPU set given");
        }
        List<BitSet> copies = new ArrayList<>(perQueue.size());
        for (BitSet cpus : perQueue) {
            if (cpus.isEmpty()) {
                throw new IllegalArgumentException("an empty CPU set in " + perQueue);
            }
            copies.add((BitSet) cpus.clone());
        }
        return new QueueAffinity(List.copyOf(copies));
    }

    /**
     * Parses an affinity: {@code none}, {@code kernel}, or CPU lists separated by {@code :}, one per
     * queue and used round robin; e.g. {@code 0-1:2-3} puts queue 0 on CPUs 0 and 1, queue 1 on 2 and 3,
     * queue 2 on 0 and 1 again; {@code 2} puts every queue on CPU 2.
     *
     * @param spec the text
     * @return the affinity
     * @throws IllegalArgumentException when the text is none of these
     */
    public static QueueAffinity parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.equalsIgnoreCase("none")) {
            return NONE;
        }
        if (s.equalsIgnoreCase("kernel")) {
            return KERNEL;
        }
        List<BitSet> sets = new ArrayList<>();
        for (String list : s.split(":", -1)) {
            sets.add(CpuAffinity.parse(list));
        }
        return cpus(sets);
    }

    /** @return whether this binds no thread */
    public boolean isNone() {
        return perQueue == null;
    }

    /** @return whether this takes each queue's CPUs from the kernel */
    public boolean isKernel() {
        return perQueue != null && perQueue.isEmpty();
    }

    /**
     * The CPUs a queue's thread is bound to.
     *
     * @param queue the queue
     * @return its CPUs, or {@code null} for {@link #NONE}
     * @throws UblkException when the kernel's affinity cannot be read
     */
    public BitSet cpusFor(UblkQueue queue) throws UblkException {
        if (isNone()) {
            return null;
        }
        if (isKernel()) {
            UblkDevice device = queue.device();
            return device.control().queueAffinity(device.id(), queue.queueId(), device.isUnprivileged());
        }
        return (BitSet) perQueue.get(queue.queueId() % perQueue.size()).clone();
    }

    /**
     * Binds the calling thread, which is to serve the queue, to the queue's CPUs; does nothing for
     * {@link #NONE}. The kernel's set counts every possible CPU, so {@link #KERNEL} keeps those the
     * thread may run on now, and leaves the thread as it is when none is left.
     *
     * @param queue the queue the thread serves
     * @throws UblkException when the CPUs cannot be read or the kernel refuses the binding
     */
    public void pinCurrentThread(UblkQueue queue) throws UblkException {
        BitSet cpus = cpusFor(queue);
        if (cpus != null && isKernel()) {
            cpus.and(CpuAffinity.currentThreadCpus());
        }
        if (cpus == null || cpus.isEmpty()) {
            return;
        }
        try {
            CpuAffinity.pinCurrentThread(cpus);
        } catch (UblkException e) {
            throw new UblkException("binding the thread of " + queue + " to CPUs " + CpuAffinity.format(cpus),
                    queue.device().id(), e.errno(), e.getMessage());
        }
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "none";
        }
        if (isKernel()) {
            return "kernel";
        }
        return String.join(":", perQueue.stream().map(CpuAffinity::format).toList());
    }
}
