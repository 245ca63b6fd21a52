// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import io.jublk.core.QueueGroup;
import io.jublk.core.UblkDevice;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkControl;
import io.jublk.targets.MemTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * Many RAM devices served by one thread: a {@link QueueGroup} sleeps in one {@code poll(2)} for all
 * of their queues, so an idle device costs no thread of its own.
 *
 * <pre>{@code java -m io.jublk.examples/io.jublk.examples.ManyDevicesExample [COUNT [SIZE]]}</pre>
 */
public final class ManyDevicesExample implements AutoCloseable {
    private final UblkControl control;
    private final QueueGroup group;
    private final Thread groupThread;
    private final List<UblkDevice> devices = new ArrayList<>();
    private final List<MemTarget> targets = new ArrayList<>();

    private ManyDevicesExample(UblkControl control, QueueGroup group, Thread groupThread) {
        this.control = control;
        this.group = group;
        this.groupThread = groupThread;
    }

    /**
     * Adds {@code count} mem devices and serves them all from one thread.
     *
     * @param count how many devices
     * @param sizeBytes the size of each
     * @return the running devices; closing it deletes them and ends the thread
     * @throws Exception when a device cannot be added or its memory reserved
     */
    public static ManyDevicesExample start(int count, long sizeBytes) throws Exception {
        // snippet:queue-group
        QueueGroup group = QueueGroup.create();
        Thread thread = Thread.ofPlatform().name("ublk-group").start(group);   // serves until group.stop()
        UblkControl control = UblkControl.open();         // one control device for all of them
        // end-snippet
        ManyDevicesExample many = new ManyDevicesExample(control, group, thread);
        List<UblkDevice> devices = many.devices;
        try {
            for (int i = 0; i < count; i++) {
                MemTarget mem = new MemTarget(sizeBytes);
                many.targets.add(mem);
                // snippet:queue-group-device
                UblkDevice dev = UblkDevice.builder().control(control).target(mem).queues(1).depth(64).build();
                devices.add(dev);                             // deleted at the end, even if start() fails
                dev.queues().forEach(group::add);             // started on the group's thread
                dev.start();
                // end-snippet
            }
        } catch (Exception | Error e) {
            many.close();
            throw e;
        }
        return many;
    }

    /** @return the devices, in the order they were added */
    public List<UblkDevice> devices() {
        return List.copyOf(devices);
    }

    /** Deletes every device (a deleted device's queues leave the group), then ends the group's thread. */
    @Override
    public void close() throws UblkException, InterruptedException {
        UblkException failure = null;
        for (UblkDevice dev : devices) {
            try {
                dev.close();
            } catch (UblkException e) {
                failure = failure == null ? e : failure;
            }
        }
        group.stop();
        groupThread.join();
        targets.forEach(MemTarget::close);    // the memory goes only after its device
        control.close();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Serves COUNT mem devices (default 16) of SIZE each (default 64M) until each is deleted with
     * {@code jublk del}, or until SIGINT/SIGTERM.
     *
     * @param args the count and the size
     * @throws Exception when the devices cannot be served
     */
    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        try (ManyDevicesExample many = start(count, Serving.sizeArg(args, 1, 64L << 20))) {
            many.devices().forEach(dev -> System.out.println(dev.blockPath()));
            Serving.untilDeleted(many.devices());
        }
    }
}
