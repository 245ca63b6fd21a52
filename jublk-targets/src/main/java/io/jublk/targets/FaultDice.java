// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

/**
 * A seeded stream of uniform doubles for one queue (SplitMix64): cheap, allocation-free and the
 * same for the same seed and queue. Not thread-safe; each queue's thread owns its own.
 */
final class FaultDice {
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    /**
     * @param seed the target's seed
     * @param queueId the queue, so queues draw different streams from one seed
     */
    FaultDice(long seed, int queueId) {
        this.state = mix(seed + GOLDEN_GAMMA * (queueId + 1L));
    }

    /** @return the next value, uniform in [0, 1) */
    double next() {
        state += GOLDEN_GAMMA;
        return (mix(state) >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
