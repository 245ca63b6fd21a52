// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.uapi.UblkFeature;

import java.util.ArrayList;
import java.util.List;

/** Renders devices as {@code jublk list} prints them: an aligned table, or JSON for scripts. Stateless. */
final class DeviceListing {
    private static final String[] HEADER = {"ID", "STATE", "QUEUES", "SIZE", "BS", "TARGET", "MODE", "SERVER", "FLAGS"};

    private DeviceListing() {
    }

    /**
     * Formats one device as ublksrv's, rublk's and the kernel's kublk {@code list -n} print it, so
     * scripts written for them (blktests reads the state and the daemon pid) read jublk's too:
     * <pre>
     * dev id 0: nr_hw_queues 2 queue_depth 128 block size 512 dev_capacity 2097152
     * 	max rq size 524288 daemon pid 4242 flags 0x42 state LIVE
     * 	jublk: target mem, data mode copy, 1 GiB, server alive
     * </pre>
     * The state is the kernel's name (DEAD, LIVE, QUIESCED, FAIL_IO); an unknown size or block size
     * shows as -1.
     *
     * @param r the device
     * @return the block, each line ending with a newline
     */
    static String familyBlock(DeviceRow r) {
        return "dev id " + r.id() + ": nr_hw_queues " + r.queues() + " queue_depth " + r.depth() + " block size "
                + r.logicalBlockSize() + " dev_capacity " + (r.sizeBytes() < 0 ? -1 : r.sizeBytes() >> 9) + "\n"
                + "\tmax rq size " + r.maxIoBytes() + " daemon pid " + r.serverPid() + " flags 0x"
                + Long.toHexString(r.flags()) + " state " + r.state().toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "\n"
                + "\tjublk: target " + (r.target() == null ? "-" : r.target()) + ", data mode " + r.dataMode()
                + (r.sizeBytes() < 0 ? "" : ", " + Sizes.format(r.sizeBytes()))
                + (r.serverPid() <= 0 ? ", no server" : r.serverAlive() ? ", server alive" : ", server gone") + "\n";
    }

    /**
     * Formats devices as a table with a header line, columns separated by two spaces, the last
     * column unpadded; every line ends with a newline.
     *
     * @param rows the devices
     * @return the table, or a line saying there are none
     */
    static String table(List<DeviceRow> rows) {
        if (rows.isEmpty()) {
            return "no ublk devices\n";
        }
        List<String[]> lines = new ArrayList<>();
        lines.add(HEADER);
        for (DeviceRow r : rows) {
            lines.add(new String[] {
                    Integer.toString(r.id()),
                    r.state(),
                    r.queues() + "x" + r.depth(),
                    r.sizeBytes() < 0 ? "?" : Sizes.format(r.sizeBytes()),
                    r.logicalBlockSize() < 0 ? "?" : Integer.toString(r.logicalBlockSize()),
                    r.target() == null ? "-" : r.target(),
                    r.dataMode(),
                    r.serverPid() <= 0 ? "-" : r.serverPid() + (r.serverAlive() ? " (alive)" : " (gone)"),
                    UblkFeature.describe(r.flags()),
            });
        }
        int[] widths = new int[HEADER.length];
        for (String[] line : lines) {
            for (int c = 0; c < line.length; c++) {
                widths[c] = Math.max(widths[c], line[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] line : lines) {
            for (int c = 0; c < line.length; c++) {
                sb.append(line[c]);
                if (c < line.length - 1) {
                    sb.append(" ".repeat(widths[c] - line[c].length() + 2));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /**
     * Formats devices as JSON: {@code {"devices": [...]}}, one device object per line, keys in a fixed
     * order. Unknown numbers are {@code null}, as is the target of a device jublk did not add.
     *
     * @param rows the devices
     * @return the document, ending with a newline
     */
    static String json(List<DeviceRow> rows) {
        StringBuilder sb = new StringBuilder("{\"devices\": [");
        for (int i = 0; i < rows.size(); i++) {
            DeviceRow r = rows.get(i);
            sb.append(i == 0 ? "\n  " : ",\n  ");
            sb.append("{\"id\": ").append(r.id())
                    .append(", \"state\": ").append(Json.quote(r.state()))
                    .append(", \"block_device\": ").append(Json.quote(r.blockPath()))
                    .append(", \"char_device\": ").append(Json.quote(r.charPath()))
                    .append(", \"queues\": ").append(r.queues())
                    .append(", \"queue_depth\": ").append(r.depth())
                    .append(", \"max_io_bytes\": ").append(r.maxIoBytes())
                    .append(", \"size_bytes\": ").append(r.sizeBytes() < 0 ? "null" : Long.toString(r.sizeBytes()))
                    .append(", \"logical_block_size\": ").append(r.logicalBlockSize() < 0 ? "null" : Integer.toString(r.logicalBlockSize()))
                    .append(", \"physical_block_size\": ").append(r.physicalBlockSize() < 0 ? "null" : Integer.toString(r.physicalBlockSize()))
                    .append(", \"target\": ").append(Json.quote(r.target()))
                    .append(", \"data_mode\": ").append(Json.quote(r.dataMode()))
                    .append(", \"server_pid\": ").append(r.serverPid() <= 0 ? "null" : Integer.toString(r.serverPid()))
                    .append(", \"server_alive\": ").append(r.serverAlive())
                    .append(", \"flags\": ").append(Json.quote("0x" + Long.toHexString(r.flags())))
                    .append(", \"flag_names\": [");
            List<UblkFeature> names = new ArrayList<>(UblkFeature.of(r.flags()));
            for (int f = 0; f < names.size(); f++) {
                sb.append(f == 0 ? "" : ", ").append(Json.quote(names.get(f).kernelName()));
            }
            sb.append("], \"owner_uid\": ").append(r.ownerUid())
                    .append(", \"owner_gid\": ").append(r.ownerGid())
                    .append('}');
        }
        sb.append(rows.isEmpty() ? "]}\n" : "\n]}\n");
        return sb.toString();
    }
}
