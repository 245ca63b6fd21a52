// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.UblkException;
import io.jublk.core.control.UblkParams;
import io.jublk.core.uapi.UblkFeature;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code jublk list}: the ublk devices that exist, as a table or as JSON. */
final class ListCommand implements Command {
    @Override
    public String name() {
        return "list";
    }

    @Override
    public String summary() {
        return "show ublk devices (--json for scripts)";
    }

    @Override
    public String help() {
        return """
                usage: jublk list [-n ID] [--json]

                Shows every ublk device (of any server): id, state, queues x depth, size, logical
                block size, target and data mode (for devices jublk added; others show '-' and the
                mode their flags imply), the serving process and whether it is alive, and the
                UBLK_F_* flags the kernel granted.

                options:
                  -n, --number ID  show only this device, in the block ublksrv's and kublk's 'list -n'
                                   print ('dev id N: nr_hw_queues ...', then '... daemon pid P flags
                                   0x... state LIVE'), so their scripts read it
                      --json       print {"devices": [...]}, one object per device, for scripts
                """;
    }

    @Override
    public List<Args.Option> options() {
        return List.of(DeviceOptions.NUMBER, Args.Option.flag("json", (char) 0));
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.id(args);
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
        if (args.has("json")) {
            out.print(DeviceListing.json(rows));
        } else {
            out.print(id >= 0 ? DeviceListing.familyBlock(rows.getFirst()) : DeviceListing.table(rows));
        }
        return 0;
    }
}
