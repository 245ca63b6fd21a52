// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.uring.Errno;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad settings are refused with a message naming the setting, before the kernel is asked. */
class DeviceValidationTest {
    /** A target that states no geometry, so the caller gives the size. */
    private static final BlockTarget TARGET = new SizedTarget(TargetGeometry.UNSIZED);

    private record SizedTarget(TargetGeometry geometry) implements BlockTarget, QueueHandler {

        @Override
        public int read(UblkIo io) {
            return io.length();
        }

        @Override
        public int write(UblkIo io) {
            return io.length();
        }
    }

    private static UblkDeviceBuilder valid() {
        return UblkDevice.builder().target(TARGET).size(1 << 20);
    }

    @Test
    void shouldTakeTheGeometryFromTheTargetUnlessOverridden() {
        BlockTarget target = new SizedTarget(TargetGeometry.ofSize(8 << 20).withLogicalBlockSize(4096).withMaxIoBytes(1 << 20));
        UblkDevice.builder().target(target).validate();
        assertTrue(refusal(UblkDevice.builder().target(target).size(1000)).contains("not a multiple of the logical block size 4096"));
        assertTrue(refusal(UblkDevice.builder().target(target).logicalBlockSize(512).size(1000))
                .contains("not a multiple of the logical block size 512"));
        assertTrue(refusal(UblkDevice.builder().target(TARGET)).contains("states none in its geometry(); call size(bytes)"));
    }

    private static String refusal(UblkDeviceBuilder b) {
        return assertThrows(IllegalArgumentException.class, b::validate).getMessage();
    }

    @Test
    void shouldAcceptSensibleSettings() {
        valid().queues(4).depth(4096).maxIoBytes(1 << 25).logicalBlockSize(4096).validate();
    }

    @Test
    void shouldNameEachBadSetting() {
        assertTrue(refusal(valid().logicalBlockSize(256)).contains("logical block size 256"));
        assertTrue(refusal(valid().maxIoBytes(64 << 20)).contains("max IO size"));
        assertTrue(refusal(valid().depth(0)).contains("queue depth 0"));
        assertTrue(refusal(valid().depth(5000)).contains("queue depth 5000"));
        assertTrue(refusal(valid().queues(0)).contains("queue count 0"));
        assertTrue(refusal(valid().size(1000)).contains("not a multiple of the logical block size"));
        assertTrue(refusal(valid().size(0)).contains("size is zero"));
        assertTrue(refusal(UblkDevice.builder().size(4096)).contains("no target"));
        assertTrue(refusal(valid().id(-2)).contains("device id -2"));
        assertTrue(refusal(valid().dataMode(DataMode.COPY_APPLICATION_BUFFERS)).contains("lend"));
        assertTrue(refusal(valid().dataMode(DataMode.ZERO_COPY)).contains("fixed buffers"));
    }

    @Test
    void shouldNameCommandDeviceAndErrno() {
        UblkException e = UblkException.of("UBLK_U_CMD_START_DEV", 3, -22);
        assertEquals("UBLK_U_CMD_START_DEV dev_id=3 failed: EINVAL (Invalid argument)", e.getMessage());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(UblkException.of("UBLK_U_CMD_ADD_DEV", 7, -17).getMessage().contains("id is taken"));
    }

    @Test
    void shouldGrowOnlyAsFarAsTheTargetHolds() {
        UblkDevice.checkTargetHolds(8 << 20, 8 << 20, TARGET);
        UblkDevice.checkTargetHolds(1 << 20, 8 << 20, TARGET);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> UblkDevice.checkTargetHolds((8 << 20) + 4096, 8 << 20, TARGET));
        assertTrue(e.getMessage().contains("SizedTarget can hold: 8388608 bytes at most"), e.getMessage());
    }

    @Test
    void shouldLetATargetHoldItsGeometryBySize() {
        assertEquals(8 << 20, new SizedTarget(TargetGeometry.ofSize(8 << 20)).maxSizeBytes());
    }
}
