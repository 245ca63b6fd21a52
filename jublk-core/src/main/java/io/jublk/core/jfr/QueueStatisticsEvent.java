// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.jfr;

import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.LatencyHistogram;
import io.jublk.core.stats.QueueStats;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

import java.util.function.Supplier;

/**
 * Each queue's statistics, once a period while a recording wants them. The hook reads the
 * device's snapshot on the recorder's thread, so the queues pay nothing for it.
 */
@Name("io.jublk.QueueStatistics")
@Label("ublk Queue Statistics")
@Category("jublk")
@Description("What a queue served since it started; the service-time percentiles cover the last period only")
@Period("1 s")
@StackTrace(false)
public final class QueueStatisticsEvent extends Event {
    @Label("Device Id")
    int deviceId;
    @Label("Queue Id")
    int queueId;
    @Label("Reads")
    long reads;
    @Label("Read Bytes")
    @DataAmount
    long readBytes;
    @Label("Writes")
    long writes;
    @Label("Written Bytes")
    @DataAmount
    long writeBytes;
    @Label("Flushes")
    long flushes;
    @Label("Discards")
    long discards;
    @Label("Write Zeroes")
    long writeZeroes;
    @Label("Errors")
    long errors;
    @Label("Target Failures")
    long targetFailures;
    @Label("In Flight")
    long inFlight;
    @Label("Wake-ups")
    long wakeUps;
    @Label("Requests per Wake-up")
    double requestsPerWakeUp;
    @Label("Service Time p50")
    @Timespan(Timespan.NANOSECONDS)
    long p50;
    @Label("Service Time p99")
    @Timespan(Timespan.NANOSECONDS)
    long p99;
    @Label("Service Time p99.9")
    @Timespan(Timespan.NANOSECONDS)
    long p999;

    /**
     * Emits a device's queue statistics periodically while a recording enables them.
     *
     * @param stats takes the device's snapshot
     * @return what stops it, at the device's close; never throws
     */
    public static AutoCloseable register(Supplier<DeviceStats> stats) {
        Hook hook = new Hook(stats);
        try {
            FlightRecorder.addPeriodicEvent(QueueStatisticsEvent.class, hook);
        } catch (RuntimeException e) {
            return () -> { }; // no recorder in this JVM: nothing to record into
        }
        return () -> FlightRecorder.removePeriodicEvent(hook);
    }

    /** Keeps the last period's histograms, to report percentiles of the period rather than all time. */
    private static final class Hook implements Runnable {
        private final Supplier<DeviceStats> stats;
        private DeviceStats previous;

        Hook(Supplier<DeviceStats> stats) {
            this.stats = stats;
        }

        @Override
        public void run() {
            DeviceStats now = stats.get();
            for (QueueStats q : now.queues()) {
                LatencyHistogram recent = q.serviceTime();
                if (previous != null && previous.queues().size() > q.queueId()) {
                    recent = recent.minus(previous.queues().get(q.queueId()).serviceTime());
                }
                QueueStatisticsEvent e = new QueueStatisticsEvent();
                e.deviceId = now.deviceId();
                e.queueId = q.queueId();
                e.reads = q.read().requests();
                e.readBytes = q.read().bytes();
                e.writes = q.write().requests();
                e.writeBytes = q.write().bytes();
                e.flushes = q.flush().requests();
                e.discards = q.discard().requests();
                e.writeZeroes = q.writeZeroes().requests();
                e.errors = q.errors();
                e.targetFailures = q.targetFailures();
                e.inFlight = q.inFlight();
                e.wakeUps = q.wakeUps();
                e.requestsPerWakeUp = q.requestsPerWakeUp();
                e.p50 = recent.p50();
                e.p99 = recent.p99();
                e.p999 = recent.p999();
                e.commit();
            }
            previous = now;
        }
    }
}
