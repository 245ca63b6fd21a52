// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.stats;

import java.util.Arrays;

/**
 * An immutable histogram of durations in nanoseconds, in powers of two: bucket 0 holds zero,
 * bucket {@code i > 0} holds {@code [2^(i-1), 2^i)}, and the last bucket everything longer.
 * Coarse by design, so a queue can fill one without allocating or locking.
 */
public final class LatencyHistogram {
    /** The number of buckets; the last one, from 2^38 ns (about 4.6 minutes), is open-ended. */
    public static final int BUCKETS = 40;

    private static final LatencyHistogram EMPTY = new LatencyHistogram(new long[BUCKETS]);

    private final long[] counts;
    private final long total;

    private LatencyHistogram(long[] counts) {
        this.counts = counts;
        long sum = 0;
        for (long c : counts) {
            sum += c;
        }
        this.total = sum;
    }

    /**
     * @param counts the count of each bucket, {@link #BUCKETS} of them; copied
     * @return the histogram
     */
    public static LatencyHistogram of(long[] counts) {
        if (counts.length != BUCKETS) {
            throw new IllegalArgumentException("a latency histogram has " + BUCKETS + " buckets, not " + counts.length);
        }
        return new LatencyHistogram(counts.clone());
    }

    /** @return a histogram with nothing in it */
    public static LatencyHistogram empty() {
        return EMPTY;
    }

    /**
     * @param nanos a duration; negative counts as zero
     * @return the bucket it falls in
     */
    public static int bucketOf(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        return Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(nanos));
    }

    /**
     * @param bucket a bucket
     * @return the shortest duration in it, in nanoseconds
     */
    public static long lowerBound(int bucket) {
        return bucket == 0 ? 0 : 1L << (bucket - 1);
    }

    /**
     * @param bucket a bucket
     * @return the duration just past it, in nanoseconds (the last bucket is taken to end at twice its start)
     */
    public static long upperBound(int bucket) {
        return bucket == 0 ? 1 : 1L << bucket;
    }

    /**
     * @param bucket a bucket
     * @return how many durations fell in it
     */
    public long count(int bucket) {
        return counts[bucket];
    }

    /** @return how many durations the histogram holds */
    public long count() {
        return total;
    }

    /**
     * Estimates a percentile, spreading each bucket's durations evenly over its range.
     *
     * @param fraction between 0 and 1, e.g. 0.99
     * @return the duration in nanoseconds that this fraction of durations do not exceed; 0 when empty
     */
    public long percentile(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a percentile is between 0 and 1, not " + fraction);
        }
        if (total == 0) {
            return 0;
        }
        double rank = fraction * total;
        long below = 0;
        for (int b = 0; b < BUCKETS; b++) {
            long c = counts[b];
            if (c > 0 && below + c >= rank) {
                double within = Math.max(0, rank - below) / c;
                long lo = lowerBound(b);
                return lo + Math.round(within * (upperBound(b) - lo));
            }
            below += c;
        }
        return upperBound(BUCKETS - 1);
    }

    /** @return the median, in nanoseconds */
    public long p50() {
        return percentile(0.50);
    }

    /** @return the 99th percentile, in nanoseconds */
    public long p99() {
        return percentile(0.99);
    }

    /** @return the 99.9th percentile, in nanoseconds */
    public long p999() {
        return percentile(0.999);
    }

    /**
     * @param other another histogram
     * @return the bucket-wise sum
     */
    public LatencyHistogram plus(LatencyHistogram other) {
        long[] sum = new long[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            sum[b] = counts[b] + other.counts[b];
        }
        return new LatencyHistogram(sum);
    }

    /**
     * @param earlier a histogram taken before this one, of the same source
     * @return what was added since, bucket by bucket (never below zero)
     */
    public LatencyHistogram minus(LatencyHistogram earlier) {
        long[] diff = new long[BUCKETS];
        for (int b = 0; b < BUCKETS; b++) {
            diff[b] = Math.max(0, counts[b] - earlier.counts[b]);
        }
        return new LatencyHistogram(diff);
    }

    /**
     * @param nanos a duration
     * @return it in the unit that suits it: ns, µs, ms or s
     */
    public static String format(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return String.format("%.1fus", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format("%.1fms", nanos / 1e6);
        }
        return String.format("%.2fs", nanos / 1e9);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LatencyHistogram h && Arrays.equals(counts, h.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "n=" + total + " p50=" + format(p50()) + " p99=" + format(p99()) + " p99.9=" + format(p999());
    }
}
