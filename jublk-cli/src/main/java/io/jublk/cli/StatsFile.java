// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.LatencyHistogram;
import io.jublk.core.stats.OpCounts;
import io.jublk.core.stats.QueueStats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A device's counters as its server publishes them, {@code ublkbN.stats.json} in the run
 * directory: JSON rewritten whole (a new file renamed over the old) so a reader never sees half.
 * The server writes it; {@code jublk stats} reads it, with no attach tools and no socket.
 */
final class StatsFile {
    private static final String[] OPS = {"read", "write", "flush", "discard", "write_zeroes"};

    private StatsFile() {
    }

    /**
     * @param dir the run directory
     * @param id the device
     * @return where its server publishes its counters
     */
    static Path path(Path dir, int id) {
        return dir.resolve("ublkb" + id + ".stats.json");
    }

    /**
     * Writes a snapshot atomically.
     *
     * @param file where
     * @param stats the snapshot
     * @param pid the serving process
     * @param epochMillis when it was taken
     * @throws IOException when the file cannot be written
     */
    static void write(Path file, DeviceStats stats, long pid, long epochMillis) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(stats, pid, epochMillis));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * @param stats a snapshot
     * @param pid the serving process
     * @param epochMillis when it was taken
     * @return it as one JSON object
     */
    static String toJson(DeviceStats stats, long pid, long epochMillis) {
        StringBuilder sb = new StringBuilder(1024).append("{\"dev_id\": ").append(stats.deviceId())
                .append(", \"pid\": ").append(pid).append(", \"time_ms\": ").append(epochMillis)
                .append(", \"total\": ");
        queue(sb, stats.total());
        sb.append(", \"queues\": [");
        for (int i = 0; i < stats.queues().size(); i++) {
            sb.append(i == 0 ? "" : ", ");
            queue(sb, stats.queues().get(i));
        }
        return sb.append("]}\n").toString();
    }

    private static void queue(StringBuilder sb, QueueStats q) {
        sb.append("{\"queue\": ").append(q.queueId());
        OpCounts[] ops = {q.read(), q.write(), q.flush(), q.discard(), q.writeZeroes()};
        for (int i = 0; i < OPS.length; i++) {
            sb.append(", \"").append(OPS[i]).append("\": {\"requests\": ").append(ops[i].requests())
                    .append(", \"bytes\": ").append(ops[i].bytes()).append('}');
        }
        LatencyHistogram h = q.serviceTime();
        sb.append(", \"errors\": ").append(q.errors()).append(", \"target_failures\": ").append(q.targetFailures())
                .append(", \"in_flight\": ").append(q.inFlight()).append(", \"wake_ups\": ").append(q.wakeUps())
                .append(", \"wake_up_requests\": ").append(q.wakeUpRequests())
                .append(", \"service_ns\": {\"sum\": ").append(q.serviceNanos()).append(", \"buckets\": [");
        for (int b = 0; b < LatencyHistogram.BUCKETS; b++) {
            sb.append(b == 0 ? "" : ", ").append(h.count(b));
        }
        sb.append("]}}");
    }

    /**
     * Reads a published snapshot back.
     *
     * @param json what {@link #toJson} wrote
     * @return the snapshot, with the process and time it names
     * @throws IllegalArgumentException when it is not such a file
     */
    static Published parse(String json) {
        Object root = Json.parse(json);
        List<QueueStats> queues = new ArrayList<>();
        if (Json.at(root, "queues") instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                queues.add(queue(Json.at(root, "queues", i)));
            }
        }
        double id = Json.number(root, "dev_id");
        if (Double.isNaN(id)) {
            throw new IllegalArgumentException("no dev_id: not a jublk statistics file");
        }
        return new Published(DeviceStats.of((int) id, queues), (long) Json.number(root, "pid"),
                (long) Json.number(root, "time_ms"));
    }

    private static QueueStats queue(Object q) {
        OpCounts[] ops = new OpCounts[OPS.length];
        for (int i = 0; i < OPS.length; i++) {
            ops[i] = new OpCounts(num(q, OPS[i], "requests"), num(q, OPS[i], "bytes"));
        }
        long[] buckets = new long[LatencyHistogram.BUCKETS];
        for (int b = 0; b < buckets.length; b++) {
            buckets[b] = num(q, "service_ns", "buckets", b);
        }
        return new QueueStats((int) num(q, "queue"), ops[0], ops[1], ops[2], ops[3], ops[4], num(q, "errors"),
                num(q, "target_failures"), num(q, "in_flight"), num(q, "wake_ups"), num(q, "wake_up_requests"),
                num(q, "service_ns", "sum"), LatencyHistogram.of(buckets));
    }

    private static long num(Object root, Object... path) {
        double v = Json.number(root, path);
        return Double.isNaN(v) ? 0 : (long) v;
    }

    /**
     * A snapshot as read from its file.
     *
     * @param stats the counters
     * @param pid the process that published them
     * @param epochMillis when
     */
    record Published(DeviceStats stats, long pid, long epochMillis) {
    }
}
