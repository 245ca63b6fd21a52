// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.DataMode;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkFeature;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeviceListingTest {
    private static final long FLAGS = UblkFeature.UBLK_F_URING_CMD_COMP_IN_TASK | UblkFeature.UBLK_F_CMD_IOCTL_ENCODE;

    /** A jublk mem device: 1 GiB, 2x128, live, served by pid 4242. */
    private static DeviceRow memDevice() {
        UblkDeviceInfo info = new UblkDeviceInfo(0, 2, 128, 1, 512 * 1024, 4242, FLAGS,
                new ServerFlags(TargetKind.MEM, DataMode.COPY).encode(), 0, 0);
        UblkParams params = new UblkParams(1, 0, 9, 12, 12, 9, 1024, 0, (1L << 30) >> 9, 0, 0, 0, 0, 0, 259, 0, 0);
        return DeviceRow.of(info, params, true);
    }

    /** Another server's user-copy device, dead, whose parameters could not be read. */
    private static DeviceRow foreignDevice() {
        UblkDeviceInfo info = new UblkDeviceInfo(12, 1, 64, 0, 1 << 20, -1, FLAGS | UblkFeature.UBLK_F_USER_COPY, 0x2, 1000, 1000);
        return DeviceRow.of(info, null, false);
    }

    @Test
    void shouldDescribeAJublkDevice() {
        DeviceRow r = memDevice();
        assertEquals("mem", r.target());
        assertEquals("copy", r.dataMode());
        assertEquals(1L << 30, r.sizeBytes());
        assertEquals(512, r.logicalBlockSize());
        assertEquals(4096, r.physicalBlockSize());
        assertEquals("live", r.state());
    }

    @Test
    void shouldInferTheModeOfAForeignDevice() {
        DeviceRow r = foreignDevice();
        assertNull(r.target());
        assertEquals("user-copy", r.dataMode());
        assertEquals(-1, r.sizeBytes());
    }

    @Test
    void shouldFormatAnAlignedTable() {
        String table = DeviceListing.table(List.of(memDevice(), foreignDevice()));
        List<String> lines = table.lines().toList();
        assertEquals(3, lines.size());
        assertEquals("ID  STATE  QUEUES  SIZE   BS   TARGET  MODE       SERVER        FLAGS", lines.get(0));
        assertEquals("0   live   2x128   1 GiB  512  mem     copy       4242 (alive)  URING_CMD_COMP_IN_TASK|CMD_IOCTL_ENCODE",
                lines.get(1));
        assertEquals("12  dead   1x64    ?      ?    -       user-copy  -             "
                + "URING_CMD_COMP_IN_TASK|CMD_IOCTL_ENCODE|USER_COPY", lines.get(2));
        assertTrue(table.endsWith("\n"));
    }

    @Test
    void shouldSayWhenThereAreNoDevices() {
        assertEquals("no ublk devices\n", DeviceListing.table(List.of()));
    }

    @Test
    void shouldWriteJsonWithAStableShape() {
        String json = DeviceListing.json(List.of(memDevice(), foreignDevice()));
        assertEquals(4, json.lines().count(), "one device per line between the brackets");
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(json);
        assertEquals(List.of("devices"), List.copyOf(root.keySet()));
        @SuppressWarnings("unchecked")
        Map<String, Object> dev = (Map<String, Object>) Json.at(root, "devices", 0);
        assertEquals(List.of("id", "state", "block_device", "char_device", "queues", "queue_depth", "max_io_bytes",
                "size_bytes", "logical_block_size", "physical_block_size", "target", "data_mode", "server_pid",
                "server_alive", "flags", "flag_names", "owner_uid", "owner_gid"), List.copyOf(dev.keySet()));
        assertEquals(0.0, dev.get("id"));
        assertEquals("live", dev.get("state"));
        assertEquals("/dev/ublkb0", dev.get("block_device"));
        assertEquals((double) (1L << 30), dev.get("size_bytes"));
        assertEquals("mem", dev.get("target"));
        assertEquals("copy", dev.get("data_mode"));
        assertEquals(4242.0, dev.get("server_pid"));
        assertEquals(Boolean.TRUE, dev.get("server_alive"));
        assertEquals("0x42", dev.get("flags"));
        assertEquals(List.of("UBLK_F_URING_CMD_COMP_IN_TASK", "UBLK_F_CMD_IOCTL_ENCODE"), dev.get("flag_names"));

        Object foreign = Json.at(root, "devices", 1);
        assertNull(Json.at(foreign, "target"));
        assertNull(Json.at(foreign, "size_bytes"));
        assertNull(Json.at(foreign, "server_pid"));
        assertFalse((Boolean) Json.at(foreign, "server_alive"));
        assertTrue(((Map<?, ?>) foreign).containsKey("target"), "unknown values are null, not left out");
    }

    @Test
    void shouldWriteAnEmptyJsonList() {
        assertEquals("{\"devices\": []}\n", DeviceListing.json(List.of()));
        assertEquals(List.of(), Json.at(Json.parse(DeviceListing.json(List.of())), "devices"));
    }

    @Test
    void shouldPrintOneDeviceAsTheUblkFamilyDoes() {
        assertEquals("dev id 0: nr_hw_queues 2 queue_depth 128 block size 512 dev_capacity 2097152\n"
                + "\tmax rq size 524288 daemon pid 4242 flags 0x" + Long.toHexString(FLAGS) + " state LIVE\n"
                + "\tjublk: target mem, data mode copy, 1 GiB, server alive\n", DeviceListing.familyBlock(memDevice()));
        String foreign = DeviceListing.familyBlock(foreignDevice());
        assertTrue(foreign.startsWith("dev id 12: nr_hw_queues 1 queue_depth 64 block size -1 dev_capacity -1\n"), foreign);
        assertTrue(foreign.contains(" daemon pid -1 flags 0x") && foreign.contains(" state DEAD\n"), foreign);
        // blktests: the state is the last field of the line that holds it, the pid the 7th
        String second = foreign.lines().toList().get(1).strip();
        assertEquals("DEAD", second.split("\\s+")[second.split("\\s+").length - 1]);
        assertEquals("-1", second.split("\\s+")[6]);
    }
}
