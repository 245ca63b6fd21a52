// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.stats;

/**
 * What one queue has served since it was created: a snapshot, read while the queue runs, so the
 * counters may be a request or two apart from one another but each is exact.
 *
 * @param queueId the queue, or -1 for a device's totals
 * @param read read requests committed
 * @param write write requests committed
 * @param flush flush requests committed
 * @param discard discard requests committed
 * @param writeZeroes write-zeroes requests committed
 * @param errors requests committed with an error (a negative result)
 * @param targetFailures requests whose target call threw or which completed twice
 * @param inFlight requests handed to the target and not yet committed
 * @param wakeUps rounds of the queue's loop that found work
 * @param wakeUpRequests requests dispatched in those rounds; divided by {@code wakeUps}, the batch size
 * @param serviceNanos the sum of all service times, in nanoseconds
 * @param serviceTime service times (dispatch to commit) of the committed requests
 */
public record QueueStats(int queueId, OpCounts read, OpCounts write, OpCounts flush, OpCounts discard,
                         OpCounts writeZeroes, long errors, long targetFailures, long inFlight, long wakeUps,
                         long wakeUpRequests, long serviceNanos, LatencyHistogram serviceTime) {

    /**
     * @param queueId the queue
     * @return the statistics of a queue that served nothing
     */
    public static QueueStats empty(int queueId) {
        return new QueueStats(queueId, OpCounts.NONE, OpCounts.NONE, OpCounts.NONE, OpCounts.NONE, OpCounts.NONE,
                0, 0, 0, 0, 0, 0, LatencyHistogram.empty());
    }

    /** @return requests committed, of every kind */
    public long requests() {
        return read.requests() + write.requests() + flush.requests() + discard.requests() + writeZeroes.requests();
    }

    /** @return bytes covered by the committed requests, of every kind */
    public long bytes() {
        return read.bytes() + write.bytes() + flush.bytes() + discard.bytes() + writeZeroes.bytes();
    }

    /** @return the mean number of requests a round with work dispatched; 0 before any */
    public double requestsPerWakeUp() {
        return wakeUps == 0 ? 0 : (double) wakeUpRequests / wakeUps;
    }

    /** @return the mean service time in nanoseconds; 0 before any request */
    public long meanServiceNanos() {
        long n = serviceTime.count();
        return n == 0 ? 0 : serviceNanos / n;
    }

    /**
     * @param other another queue's statistics
     * @param queueId the id of the sum (-1 for totals)
     * @return both added up
     */
    public QueueStats plus(QueueStats other, int queueId) {
        return new QueueStats(queueId, read.plus(other.read), write.plus(other.write), flush.plus(other.flush),
                discard.plus(other.discard), writeZeroes.plus(other.writeZeroes), errors + other.errors,
                targetFailures + other.targetFailures, inFlight + other.inFlight, wakeUps + other.wakeUps,
                wakeUpRequests + other.wakeUpRequests, serviceNanos + other.serviceNanos,
                serviceTime.plus(other.serviceTime));
    }

    /**
     * What happened between two snapshots of the same queue, e.g. for rates; {@code inFlight} is
     * this snapshot's.
     *
     * @param earlier the earlier snapshot
     * @return the difference
     */
    public QueueStats minus(QueueStats earlier) {
        return new QueueStats(queueId, read.minus(earlier.read), write.minus(earlier.write), flush.minus(earlier.flush),
                discard.minus(earlier.discard), writeZeroes.minus(earlier.writeZeroes), errors - earlier.errors,
                targetFailures - earlier.targetFailures, inFlight, wakeUps - earlier.wakeUps,
                wakeUpRequests - earlier.wakeUpRequests, serviceNanos - earlier.serviceNanos,
                serviceTime.minus(earlier.serviceTime));
    }

    @Override
    public String toString() {
        return (queueId < 0 ? "total" : "q" + queueId)
                + ": read " + read + ", write " + write + ", flush " + flush.requests()
                + ", discard " + discard + ", write-zeroes " + writeZeroes
                + ", errors " + errors + (targetFailures > 0 ? " (target failures " + targetFailures + ")" : "")
                + ", in flight " + inFlight
                + String.format(", %.1f requests/wake-up over %d", requestsPerWakeUp(), wakeUps)
                + ", service mean " + LatencyHistogram.format(meanServiceNanos()) + " " + serviceTime;
    }
}
