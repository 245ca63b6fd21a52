// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.stats;

import java.util.List;

/**
 * A snapshot of what a device's queues have served, queue by queue and in total.
 *
 * @param deviceId the device id
 * @param queues each queue's statistics, by queue id
 * @param total the queues added up (queue id -1)
 */
public record DeviceStats(int deviceId, List<QueueStats> queues, QueueStats total) {
    /**
     * @param deviceId the device id
     * @param queues each queue's statistics, by queue id
     */
    public DeviceStats {
        queues = List.copyOf(queues);
    }

    /**
     * @param deviceId the device id
     * @param queues each queue's statistics, by queue id
     * @return the snapshot with its totals
     */
    public static DeviceStats of(int deviceId, List<QueueStats> queues) {
        QueueStats sum = QueueStats.empty(-1);
        for (QueueStats q : queues) {
            sum = sum.plus(q, -1);
        }
        return new DeviceStats(deviceId, queues, sum);
    }

    /**
     * @param earlier an earlier snapshot of the same device
     * @return what happened in between, queue by queue
     */
    public DeviceStats minus(DeviceStats earlier) {
        if (earlier.queues.size() != queues.size()) {
            throw new IllegalArgumentException("snapshots of devices with " + earlier.queues.size() + " and "
                    + queues.size() + " queues");
        }
        return of(deviceId, java.util.stream.IntStream.range(0, queues.size())
                .mapToObj(i -> queues.get(i).minus(earlier.queues.get(i))).toList());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("device ").append(deviceId).append('\n');
        for (QueueStats q : queues) {
            sb.append("  ").append(q).append('\n');
        }
        return sb.append("  ").append(total).toString();
    }
}
