// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.LatencyHistogram;
import io.jublk.core.stats.OpCounts;
import io.jublk.core.stats.QueueStats;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a server publishes for {@code jublk stats} reads back as it was, and reads well. */
class StatsFileTest {
    private static QueueStats queue(int id, long reads, long writes) {
        long[] buckets = new long[LatencyHistogram.BUCKETS];
        buckets[LatencyHistogram.bucketOf(20_000)] = reads + writes;
        return new QueueStats(id, new OpCounts(reads, reads * 4096), new OpCounts(writes, writes * 8192), new OpCounts(3, 0),
                OpCounts.NONE, new OpCounts(1, 1 << 20), 2, 1, 5, 40, reads + writes, (reads + writes) * 20_000,
                LatencyHistogram.of(buckets));
    }

    @Test
    void shouldReadBackWhatWasPublished() {
        DeviceStats stats = DeviceStats.of(7, List.of(queue(0, 100, 50), queue(1, 10, 300)));
        StatsFile.Published p = StatsFile.parse(StatsFile.toJson(stats, 4242, 1_700_000_000_000L));
        assertEquals(stats, p.stats());
        assertEquals(4242, p.pid());
        assertEquals(1_700_000_000_000L, p.epochMillis());
    }

    @Test
    void shouldDescribeTotalsForAPerson() {
        DeviceStats stats = DeviceStats.of(7, List.of(queue(0, 100, 50), queue(1, 10, 300)));
        String text = StatsCommand.describe(new StatsFile.Published(stats, 4242, 0));
        assertTrue(text.startsWith("dev 7: served by process 4242, 2 queues\n"), text);
        assertTrue(text.contains("\n  read                   110      440 KiB\n"), text);
        assertTrue(text.contains("\n  write                  350     ~2.7 MiB\n"), text);
        assertTrue(text.contains("\n  flush                    6\n"), text);
        assertTrue(text.contains("errors 4, target failures 2, in flight 10"), text);
        assertTrue(text.contains("service time: mean 20.0us"), text);
    }

    @Test
    void shouldGiveRatesOfAnInterval() {
        QueueStats later = queue(-1, 1100, 600);
        QueueStats earlier = queue(-1, 100, 100);
        String line = StatsCommand.rates(later.minus(earlier), 2.0);
        assertTrue(line.matches(" +500 +250 +2\\.0 +2\\.0 +5 +0 +\\S+ +\\S+"), line);
    }

    @Test
    void shouldRefuseWhatIsNotAStatisticsFile() {
        assertThrows(IllegalArgumentException.class, () -> StatsFile.parse("{\"fio\": 1}"));
    }
}
