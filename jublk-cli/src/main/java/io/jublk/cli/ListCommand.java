// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code jublk list}: the ublk devices that exist, as a table or as JSON. */
@Command(name = "list", header = "show ublk devices (--json for scripts)",
        customSynopsis = "jublk list [-n ID] [--json]",
        description = {
            "Shows every ublk device (of any server): id, state, queues x depth, size, logical block size, target and"
                    + " data mode (for devices jublk added; others show '-' and the mode their flags imply), the serving"
                    + " process and whether it is alive, and the UBLK_F_* flags the kernel granted."})
final class ListCommand implements Cli.Verb {
    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "show only this device, in the block ublksrv's"
            + " and kublk's 'list -n' print ('dev id N: nr_hw_queues ...', then '... daemon pid P flags 0x... state"
            + " LIVE'), so their scripts read it")
    String number;
    @Option(names = "--json", description = "print {\"devices\": [...]}, one object per device, for scripts")
    boolean json;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.id("list", number);
        Host.requireDriver();
        List<DeviceRow> rows = new ArrayList<>();
        try (UblkControl ctl = UblkControl.open()) {
            List<UblkDeviceInfo> infos;
            if (id >= 0) {
                UblkDeviceInfo one = Host.findDevice(ctl, id);
                if (one == null) {
                    throw CliException.failure("list: there is no ublk device " + id);
                }
                infos = List.of(one);
            } else {
                infos = ctl.listDevices();
            }
            for (UblkDeviceInfo info : infos) {
                UblkParams params;
                try {
                    params = ctl.getParams(info.devId(), info.has(UblkFeature.UNPRIVILEGED_DEV));
                } catch (UblkException e) {
                    params = null;
                }
                rows.add(DeviceRow.of(info, params, Host.isAlive(info.ublksrvPid())));
            }
        }
        if (json) {
            out.print(DeviceListing.json(rows));
        } else {
            out.print(id >= 0 ? DeviceListing.familyBlock(rows.getFirst()) : DeviceListing.table(rows));
        }
        return 0;
    }
}
