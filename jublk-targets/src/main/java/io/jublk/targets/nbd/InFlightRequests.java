// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requests a connection has sent and not completed, by handle. Handles the caller picks live
 * in a map, a request object each; slot handles (top bit set) index a table of requests that are
 * created on a slot's first use and reused after, so sending from slots allocates nothing.
 *
 * <p>Senders add, the reader thread looks up; whoever {@link #claim claims} a request completes it,
 * exactly once, whether a reply or a failure got there first.
 */
final class InFlightRequests {
    /** Slots available: the slot number sits in the low bits of its handle. */
    static final int MAX_SLOTS = 1 << 24;

    /** Receives each request taken out of flight by {@link #claimAll}. */
    interface Claimed {
        void accept(long handle, PendingRequest request);
    }

    private final ConcurrentHashMap<Long, PendingRequest> byHandle = new ConcurrentHashMap<>();
    /** Grown on first use of a slot, never shrunk. */
    private volatile PendingRequest[] slots = new PendingRequest[0];
    private final Object slotGrowth = new Object();
    private final AtomicInteger slotsBusy = new AtomicInteger();

    static long slotHandle(int slot) {
        return Long.MIN_VALUE | slot;
    }

    static int slotOf(long handle) {
        return handle < 0 ? (int) (handle & Integer.MAX_VALUE) : -1;
    }

    /** Requests in flight now. */
    int size() {
        return byHandle.size() + slotsBusy.get();
    }

    /**
     * Puts a request in flight under a handle of the caller's choosing.
     *
     * @throws IllegalStateException when the handle is in flight already
     */
    void add(long handle, PendingRequest request) {
        if (byHandle.putIfAbsent(handle, request) != null) {
            throw new IllegalStateException("handle " + handle + " is already in flight");
        }
    }

    static void checkSlot(int slot) {
        if (slot < 0 || slot >= MAX_SLOTS) {
            throw new IllegalArgumentException("slot " + slot + " is out of range 0.." + (MAX_SLOTS - 1));
        }
    }

    /**
     * The slot's request to fill in, created on its first use.
     *
     * @throws IllegalStateException when the slot is in flight
     */
    PendingRequest idleSlot(int slot) {
        PendingRequest request = slot(slot);
        if (request.isBusy()) {
            throw slotBusy(slot);
        }
        return request;
    }

    /**
     * Puts a slot's request, filled in, in flight.
     *
     * @throws IllegalStateException when another sender got there first
     */
    void occupy(int slot, PendingRequest request) {
        if (!request.occupy()) {
            throw slotBusy(slot);
        }
        slotsBusy.incrementAndGet();
    }

    private static IllegalStateException slotBusy(int slot) {
        return new IllegalStateException("slot " + slot + " is already in flight");
    }

    private PendingRequest slot(int slot) {
        PendingRequest[] table = slots;
        if (slot < table.length) {
            return table[slot];
        }
        synchronized (slotGrowth) {
            table = slots;
            if (slot >= table.length) {
                PendingRequest[] grown = Arrays.copyOf(table, Math.max(slot + 1, table.length * 2));
                for (int i = table.length; i < grown.length; i++) {
                    grown[i] = new PendingRequest();
                }
                slots = grown; // the volatile write publishes the new entries to the reader
                table = grown;
            }
            return table[slot];
        }
    }

    /** The request in flight under {@code handle}, or null. */
    PendingRequest lookup(long handle) {
        int slot = slotOf(handle);
        if (slot < 0) {
            return byHandle.get(handle);
        }
        PendingRequest[] table = slots;
        if (slot >= table.length) {
            return null;
        }
        PendingRequest request = table[slot];
        return request.isBusy() ? request : null;
    }

    /** Takes a request out of flight; true for exactly one caller, who then completes it. */
    boolean claim(long handle, PendingRequest request) {
        if (slotOf(handle) < 0) {
            return byHandle.remove(handle, request);
        }
        if (request.release()) {
            slotsBusy.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Takes every request out of flight that nobody else claims first, handing each to {@code action}. */
    void claimAll(Claimed action) {
        for (Long handle : byHandle.keySet()) {
            PendingRequest request = byHandle.remove(handle);
            if (request != null) {
                action.accept(handle, request);
            }
        }
        PendingRequest[] table = slots;
        for (int slot = 0; slot < table.length; slot++) {
            if (claim(slotHandle(slot), table[slot])) {
                action.accept(slotHandle(slot), table[slot]);
            }
        }
    }
}
