// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramTest {
    @Test
    void shouldPutEachDurationInItsPowerOfTwo() {
        assertEquals(0, LatencyHistogram.bucketOf(0));
        assertEquals(0, LatencyHistogram.bucketOf(-5));
        assertEquals(1, LatencyHistogram.bucketOf(1));
        assertEquals(2, LatencyHistogram.bucketOf(2));
        assertEquals(2, LatencyHistogram.bucketOf(3));
        assertEquals(11, LatencyHistogram.bucketOf(1024));
        assertEquals(10, LatencyHistogram.bucketOf(1023));
        assertEquals(LatencyHistogram.BUCKETS - 1, LatencyHistogram.bucketOf(Long.MAX_VALUE));
        for (long n : new long[] {1, 7, 1000, 123_456_789}) {
            int b = LatencyHistogram.bucketOf(n);
            assertTrue(LatencyHistogram.lowerBound(b) <= n && n < LatencyHistogram.upperBound(b), "bucket of " + n);
        }
    }

    @Test
    void shouldEstimatePercentilesWithinTheRightBucket() {
        long[] counts = new long[LatencyHistogram.BUCKETS];
        counts[LatencyHistogram.bucketOf(10_000)] = 990;    // [8192, 16384)
        counts[LatencyHistogram.bucketOf(1_000_000)] = 9;   // [524288, 1048576)
        counts[LatencyHistogram.bucketOf(100_000_000)] = 1; // [67108864, 134217728)
        LatencyHistogram h = LatencyHistogram.of(counts);
        assertEquals(1000, h.count());
        long p50 = h.p50();
        assertTrue(p50 >= 8192 && p50 < 16384, "p50 " + p50);
        assertEquals(8192 + 8192 * 500 / 990, p50, 1);
        assertEquals(16384, h.percentile(0.99));
        long p999 = h.p999();
        assertTrue(p999 >= 524288 && p999 <= 1048576, "p99.9 " + p999);
        assertEquals(134217728, h.percentile(1.0));
        assertEquals(8192, h.percentile(0.0));
    }

    @Test
    void shouldAnswerZeroWhenEmptyAndRefuseNonsense() {
        assertEquals(0, LatencyHistogram.empty().p99());
        assertThrows(IllegalArgumentException.class, () -> LatencyHistogram.empty().percentile(1.5));
        assertThrows(IllegalArgumentException.class, () -> LatencyHistogram.empty().percentile(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LatencyHistogram.of(new long[3]));
    }

    @Test
    void shouldAddAndSubtractBucketWise() {
        long[] a = new long[LatencyHistogram.BUCKETS];
        a[3] = 5;
        long[] b = new long[LatencyHistogram.BUCKETS];
        b[3] = 2;
        b[7] = 1;
        LatencyHistogram sum = LatencyHistogram.of(a).plus(LatencyHistogram.of(b));
        assertEquals(7, sum.count(3));
        assertEquals(8, sum.count());
        assertEquals(LatencyHistogram.of(a), sum.minus(LatencyHistogram.of(b)));
    }

    @Test
    void shouldCopyTheCountsItIsGiven() {
        long[] counts = new long[LatencyHistogram.BUCKETS];
        counts[1] = 1;
        LatencyHistogram h = LatencyHistogram.of(counts);
        counts[1] = 100;
        assertEquals(1, h.count());
    }

    @Test
    void shouldFormatDurationsInASuitableUnit() {
        assertEquals("512ns", LatencyHistogram.format(512));
        assertEquals("12.5us", LatencyHistogram.format(12_500));
        assertEquals("3.0ms", LatencyHistogram.format(3_000_000));
        assertEquals("2.00s", LatencyHistogram.format(2_000_000_000));
    }
}
