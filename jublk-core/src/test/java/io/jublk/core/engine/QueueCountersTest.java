// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.LatencyHistogram;
import io.jublk.core.stats.OpCounts;
import io.jublk.core.stats.QueueStats;
import io.jublk.core.uapi.UblkIoOp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueCountersTest {
    @Test
    void shouldCountRequestsAndBytesByOp() {
        QueueCounters c = new QueueCounters(8);
        serve(c, 0, UblkIoOp.UBLK_IO_OP_READ, 4096, 4096, 100, 1_100);
        serve(c, 1, UblkIoOp.UBLK_IO_OP_READ, 8192, 8192, 200, 300);
        serve(c, 2, UblkIoOp.UBLK_IO_OP_WRITE, 512, 512, 300, 400);
        serve(c, 3, UblkIoOp.UBLK_IO_OP_FLUSH, 0, 0, 400, 500);
        serve(c, 4, UblkIoOp.UBLK_IO_OP_DISCARD, 1 << 20, 0, 500, 600);
        serve(c, 5, UblkIoOp.UBLK_IO_OP_WRITE_ZEROES, 1 << 16, 0, 600, 700);
        QueueStats s = c.snapshot(3, 0);
        assertEquals(3, s.queueId());
        assertEquals(new OpCounts(2, 12288), s.read());
        assertEquals(new OpCounts(1, 512), s.write());
        assertEquals(new OpCounts(1, 0), s.flush());
        assertEquals(new OpCounts(1, 1 << 20), s.discard());
        assertEquals(new OpCounts(1, 1 << 16), s.writeZeroes());
        assertEquals(6, s.requests());
        assertEquals(0, s.errors());
        assertEquals(0, s.inFlight());
        assertEquals(6, s.serviceTime().count());
        assertEquals(1, s.serviceTime().count(LatencyHistogram.bucketOf(1_000)));
        assertEquals(1_000 + 5 * 100, s.serviceNanos());
    }

    @Test
    void shouldCountErrorsWithoutTheirBytes() {
        QueueCounters c = new QueueCounters(4);
        serve(c, 0, UblkIoOp.UBLK_IO_OP_WRITE, 4096, -5, 10, 20);
        serve(c, 1, 99, 4096, -95, 10, 20);
        QueueStats s = c.snapshot(0, 1);
        assertEquals(new OpCounts(1, 0), s.write());
        assertEquals(1, s.requests(), "an unknown op is an error, not a request of a kind");
        assertEquals(2, s.errors());
        assertEquals(1, s.targetFailures());
    }

    @Test
    void shouldKeepRequestsInFlightUntilCommitted() {
        QueueCounters c = new QueueCounters(4);
        c.dispatched(0, 100);
        c.dispatched(1, 100);
        assertEquals(2, c.snapshot(0, 0).inFlight());
        c.committed(0, UblkIoOp.UBLK_IO_OP_READ, 4096, 4096, 200);
        assertEquals(1, c.snapshot(0, 0).inFlight());
        // A request failed before it reached the target: counted, but it was never in flight.
        c.committed(2, UblkIoOp.UBLK_IO_OP_READ, 4096, -5, 300);
        QueueStats s = c.snapshot(0, 0);
        assertEquals(1, s.inFlight());
        assertEquals(2, s.read().requests());
        assertEquals(1, s.serviceTime().count());
    }

    @Test
    void shouldCountRequestsPerWakeUp() {
        QueueCounters c = new QueueCounters(8);
        for (int tag = 0; tag < 6; tag++) {
            c.dispatched(tag, 1);
        }
        c.roundEnded(6);
        c.roundEnded(0);
        c.dispatched(6, 1);
        c.dispatched(7, 1);
        c.roundEnded(3);
        c.roundEnded(1);
        QueueStats s = c.snapshot(0, 0);
        assertEquals(3, s.wakeUps());
        assertEquals(8, s.wakeUpRequests());
        assertEquals(8 / 3.0, s.requestsPerWakeUp(), 1e-9);
    }

    @Test
    void shouldTakeTheDifferenceAndTotalOfSnapshots() {
        QueueCounters q0 = new QueueCounters(4);
        QueueCounters q1 = new QueueCounters(4);
        serve(q0, 0, UblkIoOp.UBLK_IO_OP_READ, 4096, 4096, 0, 50);
        QueueStats before = q0.snapshot(0, 0);
        serve(q0, 0, UblkIoOp.UBLK_IO_OP_READ, 4096, 4096, 100, 150);
        serve(q1, 0, UblkIoOp.UBLK_IO_OP_WRITE, 4096, 4096, 0, 5000);
        QueueStats delta = q0.snapshot(0, 0).minus(before);
        assertEquals(new OpCounts(1, 4096), delta.read());
        assertEquals(1, delta.serviceTime().count());

        DeviceStats dev = DeviceStats.of(7, List.of(q0.snapshot(0, 0), q1.snapshot(1, 0)));
        assertEquals(-1, dev.total().queueId());
        assertEquals(3, dev.total().requests());
        assertEquals(3 * 4096, dev.total().bytes());
        assertEquals(3, dev.total().serviceTime().count());
        String text = dev.toString();
        assertTrue(text.startsWith("device 7\n") && text.contains("q1: ") && text.contains("total: "), text);
        assertEquals(2, dev.minus(dev).queues().size());
        assertEquals(0, dev.minus(dev).total().requests());
    }

    private static void serve(QueueCounters c, int tag, int op, int length, int result, long start, long end) {
        c.dispatched(tag, start);
        c.committed(tag, op, length, result, end);
    }
}
