// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.jfr;

import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.QueueStats;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JublkEventsTest {
    @Test
    void shouldRecordLifecycleFailuresAndPeriodicStatistics() throws Exception {
        Path file = Files.createTempFile("jublk-events", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.jublk.DeviceAdded");
            recording.enable("io.jublk.DeviceStarted");
            recording.enable("io.jublk.DeviceDeleted");
            recording.enable("io.jublk.TargetFailure");
            recording.enable("io.jublk.QueueStatistics").withPeriod(Duration.ofMillis(50));
            recording.start();
            AutoCloseable stats = QueueStatisticsEvent.register(
                    () -> DeviceStats.of(42, List.of(QueueStats.empty(0), QueueStats.empty(1))));
            DeviceEvents.added(42, false, 2, 64, 1L << 30, "copy", "OFF", "NullTarget");
            DeviceEvents.end(DeviceEvents.begin(DeviceEvents.Step.STARTED, 42), null);
            TargetFailures failures = new TargetFailures(42, 1);
            for (int i = 0; i < 5; i++) {
                failures.failed("request " + i, new IllegalStateException("broken " + i));
            }
            Thread.sleep(2500); // the recorder picks up a hook added while it runs at its next tick
            stats.close();
            DeviceEvents.end(DeviceEvents.begin(DeviceEvents.Step.DELETED, 42), new RuntimeException("refused"));
            recording.stop();
            recording.dump(file);
        }
        try {
            List<RecordedEvent> events = RecordingFile.readAllEvents(file);
            assertEquals(1, count(events, "io.jublk.DeviceAdded"));
            assertEquals(1, count(events, "io.jublk.DeviceStarted"));
            assertEquals(1, count(events, "io.jublk.TargetFailure"), "failures are recorded at most once a second");
            assertTrue(count(events, "io.jublk.QueueStatistics") >= 2, "statistics of both queues");
            RecordedEvent added = events.stream().filter(e -> e.getEventType().getName().equals("io.jublk.DeviceAdded"))
                    .findFirst().orElseThrow();
            assertEquals(42, added.getInt("deviceId"));
            assertEquals("copy", added.getString("dataMode"));
            RecordedEvent deleted = events.stream().filter(e -> e.getEventType().getName().equals("io.jublk.DeviceDeleted"))
                    .findFirst().orElseThrow();
            assertTrue(deleted.getString("failure").contains("refused"));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static long count(List<RecordedEvent> events, String name) {
        return events.stream().filter(e -> e.getEventType().getName().equals(name)).count();
    }
}
