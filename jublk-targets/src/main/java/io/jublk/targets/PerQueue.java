package io.jublk.targets;

import java.util.Arrays;

/**
 * Each queue's own state of a target that serves all of a device's queues: set when a queue
 * starts, read without a lock on that queue's thread for every request, dropped when it stops.
 * Writes replace the array, so a reader always sees a whole one.
 *
 * @param <T> the state
 */
final class PerQueue<T> {
    private volatile Object[] states = new Object[0];

    /**
     * @param qid the queue
     * @param state its state
     */
    synchronized void put(int qid, T state) {
        Object[] next = Arrays.copyOf(states, Math.max(states.length, qid + 1));
        next[qid] = state;
        states = next;
    }

    /**
     * @param qid the queue
     * @return its state, now removed, or {@code null} when it had none
     */
    @SuppressWarnings("unchecked")
    synchronized T remove(int qid) {
        Object[] current = states;
        if (qid >= current.length || current[qid] == null) {
            return null;
        }
        Object[] next = current.clone();
        next[qid] = null;
        states = next;
        return (T) current[qid];
    }

    /** @return whether no queue has state: none started, or all stopped */
    synchronized boolean isEmpty() {
        for (Object state : states) {
            if (state != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param value what to add up from each queue's state
     * @return the sum over the queues that have state
     */
    @SuppressWarnings("unchecked")
    synchronized long sum(java.util.function.ToLongFunction<T> value) {
        long total = 0;
        for (Object state : states) {
            if (state != null) {
                total += value.applyAsLong((T) state);
            }
        }
        return total;
    }

    /**
     * @param qid a started queue
     * @return its state
     */
    @SuppressWarnings("unchecked")
    T get(int qid) {
        return (T) states[qid];
    }
}
