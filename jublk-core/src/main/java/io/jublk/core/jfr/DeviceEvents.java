// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A device's lifecycle as JFR events. Each helper builds its event only when a recording wants
 * it; none of them runs per IO.
 */
public final class DeviceEvents {
    private DeviceEvents() {
    }

    /** What every device event carries. */
    @Category("jublk")
    @StackTrace(false)
    abstract static class DeviceEvent extends Event {
        @Label("Device Id")
        int deviceId;
    }

    @Name("io.jublk.DeviceAdded")
    @Label("ublk Device Added")
    @Description("A device was added (ADD_DEV) and configured; its queues start next")
    static final class Added extends DeviceEvent {
        @Label("Queues")
        int queues;
        @Label("Queue Depth")
        int depth;
        @Label("Size")
        @DataAmount
        long size;
        @Label("Data Mode")
        String dataMode;
        @Label("Recovery")
        String recovery;
        @Label("Target")
        String target;
    }

    @Name("io.jublk.DeviceTakenOver")
    @Label("ublk Device Taken Over")
    @Description("This server took over a device whose server went away (START_USER_RECOVERY)")
    static final class TakenOver extends DeviceEvent {
        @Label("Queues")
        int queues;
        @Label("Target")
        String target;
    }

    @Name("io.jublk.DeviceStarted")
    @Label("ublk Device Started")
    @Description("START_DEV: the block device appeared; the duration is the kernel's")
    static final class Started extends DeviceEvent {
    }

    @Name("io.jublk.DeviceRecovered")
    @Label("ublk Device Recovered")
    @Description("END_USER_RECOVERY: a device taken over serves again; the duration is the kernel's")
    static final class Recovered extends DeviceEvent {
    }

    @Name("io.jublk.DeviceStopped")
    @Label("ublk Device Stopped")
    @Description("STOP_DEV: the block device goes away once in-flight IO completes")
    static final class Stopped extends DeviceEvent {
    }

    @Name("io.jublk.DeviceQuiesced")
    @Label("ublk Device Quiesced")
    @Description("QUIESCE_DEV: the device's server is told to go, the device waits for a new one")
    static final class Quiesced extends DeviceEvent {
    }

    @Name("io.jublk.DeviceDetached")
    @Label("ublk Device Detached")
    @Description("This server let go of a device with recovery without stopping it")
    static final class Detached extends DeviceEvent {
    }

    @Name("io.jublk.DeviceDeleted")
    @Label("ublk Device Deleted")
    @Description("DEL_DEV: the device is gone; the duration covers draining and closing its queues")
    static final class Deleted extends DeviceEvent {
        @Label("Failure")
        String failure;
    }

    /** The lifecycle steps that carry nothing but the device id. */
    public enum Step {
        /** START_DEV. */
        STARTED,
        /** END_USER_RECOVERY. */
        RECOVERED,
        /** STOP_DEV. */
        STOPPED,
        /** QUIESCE_DEV. */
        QUIESCED,
        /** The server let go of the device. */
        DETACHED,
        /** DEL_DEV. */
        DELETED;

        private DeviceEvent newEvent() {
            return switch (this) {
                case STARTED -> new Started();
                case RECOVERED -> new Recovered();
                case STOPPED -> new Stopped();
                case QUIESCED -> new Quiesced();
                case DETACHED -> new Detached();
                case DELETED -> new Deleted();
            };
        }
    }

    /**
     * Begins timing a step; {@link #end} commits it.
     *
     * @param step the step
     * @param deviceId the device
     * @return the event, to pass to {@link #end}
     */
    public static Event begin(Step step, int deviceId) {
        DeviceEvent e = step.newEvent();
        if (e.isEnabled()) {
            e.deviceId = deviceId;
            e.begin();
        }
        return e;
    }

    /**
     * Ends a step begun with {@link #begin} and commits it when a recording wants it.
     *
     * @param event the event {@link #begin} returned
     * @param failure why the step failed, or {@code null}
     */
    public static void end(Event event, Throwable failure) {
        event.end();
        if (event.shouldCommit()) {
            if (event instanceof Deleted d && failure != null) {
                d.failure = failure.toString();
            }
            event.commit();
        }
    }

    /**
     * Records a step that takes no time of its own.
     *
     * @param step the step
     * @param deviceId the device
     */
    public static void record(Step step, int deviceId) {
        DeviceEvent e = step.newEvent();
        if (e.shouldCommit()) {
            e.deviceId = deviceId;
            e.commit();
        }
    }

    /**
     * Records a device added, or taken over from a server that went away.
     *
     * @param deviceId the device
     * @param takenOver whether it was taken over rather than added
     * @param queues its queue count
     * @param depth its queue depth
     * @param size its size in bytes
     * @param dataMode its data mode
     * @param recovery what the kernel does when its server goes away
     * @param target the target's class
     */
    public static void added(int deviceId, boolean takenOver, int queues, int depth, long size, String dataMode,
                             String recovery, String target) {
        if (takenOver) {
            TakenOver e = new TakenOver();
            if (e.shouldCommit()) {
                e.deviceId = deviceId;
                e.queues = queues;
                e.target = target;
                e.commit();
            }
            return;
        }
        Added e = new Added();
        if (e.shouldCommit()) {
            e.deviceId = deviceId;
            e.queues = queues;
            e.depth = depth;
            e.size = size;
            e.dataMode = dataMode;
            e.recovery = recovery;
            e.target = target;
            e.commit();
        }
    }
}
