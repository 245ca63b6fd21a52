/**
 * The {@code jublk} command line: add, delete, list, recover and quiesce devices.
 */
module io.jublk.cli {
    requires io.jublk.targets;
}
