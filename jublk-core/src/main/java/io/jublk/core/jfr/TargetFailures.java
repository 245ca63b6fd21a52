// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

import java.util.concurrent.TimeUnit;

/**
 * A queue's target failures as JFR events, at most one a second: a target that throws on every
 * request must not flood the recording. Owner thread only.
 */
public final class TargetFailures {
    private static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final int deviceId;
    private final int queueId;
    private boolean recordedAny;
    private long lastRecordedNanos;
    private long suppressed;

    /**
     * @param deviceId the device
     * @param queueId the queue
     */
    public TargetFailures(int deviceId, int queueId) {
        this.deviceId = deviceId;
        this.queueId = queueId;
    }

    @Name("io.jublk.TargetFailure")
    @Label("ublk Target Failure")
    @Category("jublk")
    @Description("A target call threw; the request failed with EIO. At most one a second per queue; "
            + "Suppressed counts the failures since the previous event")
    @StackTrace(false)
    static final class Failure extends Event {
        @Label("Device Id")
        int deviceId;
        @Label("Queue Id")
        int queueId;
        @Label("Request")
        String request;
        @Label("Exception")
        Class<?> exceptionClass;
        @Label("Message")
        String message;
        @Label("Suppressed")
        long suppressed;
    }

    /**
     * A target call threw.
     *
     * @param request the request, described
     * @param cause what it threw
     */
    public void failed(Object request, Throwable cause) {
        long now = System.nanoTime();
        if (recordedAny && now - lastRecordedNanos < MIN_INTERVAL_NANOS) {
            suppressed++;
            return;
        }
        Failure e = new Failure();
        if (!e.shouldCommit()) {
            return;
        }
        e.deviceId = deviceId;
        e.queueId = queueId;
        e.request = String.valueOf(request);
        e.exceptionClass = cause.getClass();
        e.message = cause.getMessage();
        e.suppressed = suppressed;
        e.commit();
        suppressed = 0;
        recordedAny = true;
        lastRecordedNanos = now;
    }
}
