// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.uring.EventFd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Results that other threads post for a queue's requests, handed to its owner without a lock: a
 * bit per tag marks a result ready, and the owner is woken through its eventfd only when it sleeps.
 */
final class RemoteCompletions {
    private static final VarHandle SLEEPING;
    private static final VarHandle DONE_WORD = MethodHandles.arrayElementVarHandle(long[].class);
    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(RemoteCompletions.class, "sleeping", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Takes a posted result on the owner's thread. */
    interface Sink {
        /**
         * @param tag the request
         * @param result its result
         * @return whether the request was in flight
         */
        boolean accept(int tag, int result);
    }

    private final int[] result;
    private final long[] done;
    private volatile int pending;
    @SuppressWarnings("unused") // accessed through SLEEPING
    private volatile boolean sleeping;
    private EventFd wakeFd;

    RemoteCompletions(int depth) {
        this.result = new int[depth];
        this.done = new long[(depth + 63) >>> 6];
    }

    void wakeThrough(EventFd fd) {
        this.wakeFd = fd;
    }

    /** Posts a result from any thread. */
    void post(int tag, int res) {
        result[tag] = res;
        // The volatile bit set publishes the result (and the target's buffer writes) to the owner.
        DONE_WORD.getAndBitwiseOr(done, tag >>> 6, 1L << tag);
        pending = 1;
        if ((boolean) SLEEPING.getVolatile(this) && SLEEPING.compareAndSet(this, true, false)) {
            wakeFd.signal();
        }
    }

    boolean isPending() {
        return pending != 0;
    }

    void sleeping(boolean asleep) {
        SLEEPING.setVolatile(this, asleep);
    }

    /**
     * Hands every posted result to the owner.
     *
     * @return results taken for requests in flight
     */
    int drain(Sink sink) {
        if (pending == 0) {
            return 0;
        }
        pending = 0;
        int taken = 0;
        for (int word = 0; word < done.length; word++) {
            long bits = (long) DONE_WORD.getAndSet(done, word, 0L);
            while (bits != 0) {
                int tag = (word << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                if (sink.accept(tag, result[tag])) {
                    taken++;
                }
            }
        }
        return taken;
    }
}
