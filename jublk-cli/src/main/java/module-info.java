// SPDX-License-Identifier: Apache-2.0
/**
 * The {@code jublk} command line: add, delete, list, recover and quiesce devices.
 */
module io.jublk.cli {
    requires io.jublk.targets;
    // The library's System.Logger records, shown on stderr by -v.
    requires java.logging;
    requires info.picocli;
    // picocli sets the commands' option fields by reflection.
    opens io.jublk.cli to info.picocli;
}
