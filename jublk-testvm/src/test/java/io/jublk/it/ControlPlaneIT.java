// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.control.UblkControl;
import io.jublk.core.UblkDevice;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.targets.NullTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every control command the library offers, against the real driver. */
@Timeout(300)
class ControlPlaneIT {

    private static boolean kernelHas(UblkFeature feature) throws Exception {
        try (UblkControl control = UblkControl.open()) {
            return (control.features() & feature.mask()) != 0;
        }
    }

    @Test
    void shouldReportInfoParamsAffinityAndResize() throws Exception {
        boolean resizable = kernelHas(UblkFeature.UPDATE_SIZE);
        try (UblkControl control = UblkControl.open();
             UblkDevice dev = UblkDevice.builder().control(control).target(new NullTarget()).size(64L << 20)
                     .queues(2).depth(32).logicalBlockSize(4096).flags(resizable ? UblkFeature.UPDATE_SIZE.mask() : 0)
                     .build()) {
            UblkDeviceInfo added = control.deviceInfo(dev.id());
            assertEquals(UblkCmd.UBLK_S_DEV_DEAD, added.state(), "state before START_DEV");
            assertEquals(32, added.queueDepth());
            assertEquals(resizable, added.has(UblkFeature.UPDATE_SIZE), "UPDATE_SIZE granted where the kernel has it");

            UblkParams p = control.getParams(dev.id(), false);
            assertEquals(64L << 20, p.sizeBytes());
            assertEquals(4096, p.logicalBlockSize());

            BitSet cpus = control.queueAffinity(dev.id(), 1);
            assertFalse(cpus.isEmpty(), "queue 1 has CPUs");

            dev.runQueues(true);
            dev.start();
            UblkDeviceInfo live = control.deviceInfo(dev.id());
            assertEquals("live", live.stateName());
            assertEquals(ProcessHandle.current().pid(), live.ublksrvPid());
            assertTrue(control.getParams(dev.id(), false).diskMajor() > 0, "GET_PARAMS fills the disk's DEVT once started");
            assertTrue(control.listDevices().stream().anyMatch(d -> d.devId() == dev.id()), "listed");

            Path sysSize = Path.of("/sys/block/ublkb" + dev.id() + "/size");
            assertEquals((64L << 20) >> 9, Long.parseLong(Files.readString(sysSize).strip()));
            if (!resizable) {
                return; // UPDATE_SIZE arrived in 6.16
            }
            control.updateSize(dev.id(), 128L << 20, false);
            assertEquals((128L << 20) >> 9, Long.parseLong(Files.readString(sysSize).strip()), "size after UPDATE_SIZE");
        }
    }

    @Test
    void shouldRefuseTryStopWhileTheDiskIsOpen() throws Exception {
        assumeTrue(kernelHas(UblkFeature.SAFE_STOP_DEV), "TRY_STOP_DEV arrived in 7.0");
        try (UblkControl control = UblkControl.open();
             UblkDevice dev = UblkDevice.builder().control(control).target(new NullTarget()).size(16L << 20).build()) {
            dev.runQueues();
            dev.start();
            try (FileChannel open = FileChannel.open(Path.of(dev.blockPath()), StandardOpenOption.READ)) {
                assertFalse(control.tryStopDevice(dev.id(), false), "TRY_STOP_DEV with an opener");
                assertTrue(open.isOpen());
            }
            assertTrue(control.tryStopDevice(dev.id(), false), "TRY_STOP_DEV without openers");
            dev.awaitStopped();
        }
    }

    @Test
    void shouldDeleteAsynchronously() throws Exception {
        try (UblkControl control = UblkControl.open()) {
            UblkDeviceInfo info = control.addDevice(-1, 1, 16, 64 << 10, 0, 0);
            assertTrue(UblkControl.deviceIds().contains(info.devId()));
            control.deleteDeviceAsync(info.devId(), false);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (UblkControl.deviceIds().contains(info.devId()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(UblkControl.deviceIds().contains(info.devId()), "device gone after DEL_DEV_ASYNC");
        }
    }
}
