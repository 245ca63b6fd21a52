// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/** What every example's {@code main} does once its devices run: serve, then leave nothing behind. */
public final class Serving {
    private Serving() {
    }

    /**
     * Serves until each device is deleted from outside ({@code jublk del -n N}), deleting each
     * one as it stops, or until SIGINT or SIGTERM, when it deletes them all before the JVM exits.
     *
     * @param devices started devices
     * @throws InterruptedException when interrupted while waiting
     */
    public static void untilDeleted(List<UblkDevice> devices) throws InterruptedException {
        // The JVM runs shutdown hooks on SIGINT and SIGTERM, and waits for them before it exits.
        Thread hook = new Thread(() -> devices.forEach(Serving::delete), "delete-devices");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            // A virtual thread per device waits for its stop: devices are deleted in any order.
            List<Thread> waiters = new ArrayList<>();
            for (UblkDevice dev : devices) {
                waiters.add(Thread.ofVirtual().start(() -> {
                    try {
                        dev.awaitStopped();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    delete(dev);
                }));
            }
            for (Thread waiter : waiters) {
                waiter.join();
            }
        } finally {
            devices.forEach(Serving::delete);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs, or ran, anyway.
            }
        }
    }

    /**
     * Stops and deletes a device. One at a time: the hook must not return, and let the JVM halt,
     * while a waiter is still deleting.
     */
    private static synchronized void delete(UblkDevice dev) {
        try {
            dev.close();
        } catch (UblkException e) {
            // Whoever stopped it may have deleted it too; nothing is left either way.
            System.err.println("deleting " + dev.blockPath() + ": " + e.getMessage());
        }
    }

    /** Builds a device over a RAM store. */
    @FunctionalInterface
    public interface RamDevice {
        /**
         * @param ram the device's storage, page-aligned
         * @return the started device
         * @throws UblkException when the kernel refuses the device
         */
        UblkDevice start(MemorySegment ram) throws UblkException;
    }

    /**
     * Runs the queues of a built device and starts it; a device that fails to start is closed.
     *
     * @param dev the built device
     * @return {@code dev}, started
     * @throws UblkException when the kernel refuses the device
     */
    public static UblkDevice started(UblkDevice dev) throws UblkException {
        try {
            dev.runQueues();
            dev.start();
        } catch (UblkException | RuntimeException e) {
            dev.close();
            throw e;
        }
        return dev;
    }

    /**
     * Serves one device over a RAM store of the size in {@code args[0]} (default 256M) until it
     * is deleted or SIGINT/SIGTERM, printing its block device's path.
     *
     * @param args the program's arguments
     * @param device builds and starts the device over the store
     * @throws Exception when the device cannot be served
     */
    public static void serveRam(String[] args, RamDevice device) throws Exception {
        long size = sizeArg(args, 0, 256L << 20);
        try (Arena arena = Arena.ofShared()) {
            UblkDevice dev = device.start(arena.allocate(size, 4096));
            System.out.println(dev.blockPath());
            untilDeleted(List.of(dev));
        }
    }

    /**
     * @param args the program's arguments
     * @param index which one
     * @param fallback the value when it is absent
     * @return the argument as a size: a number of bytes, or with a K, M or G suffix
     */
    public static long sizeArg(String[] args, int index, long fallback) {
        if (args.length <= index) {
            return fallback;
        }
        String s = args[index].strip().toUpperCase(java.util.Locale.ROOT);
        int shift = switch (s.charAt(s.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        return Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1)) << shift;
    }
}
