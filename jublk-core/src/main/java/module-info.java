// SPDX-License-Identifier: Apache-2.0
/**
 * ublk, the Linux userspace block device driver, served from Java: devices and their queues
 * ({@code io.jublk.core}), what a target implements ({@code io.jublk.core.spi}), the control
 * plane ({@code io.jublk.core.control}) and statistics
 * ({@code io.jublk.core.stats}). The UAPI model is for jublk's own modules only.
 */
module io.jublk.core {
    requires transitive io.jublk.uring;
    requires jdk.jfr;

    exports io.jublk.core;
    exports io.jublk.core.spi;
    exports io.jublk.core.control;
    exports io.jublk.core.stats;
    // JFR reads the events' fields.
    exports io.jublk.core.jfr to jdk.jfr;
    exports io.jublk.core.uapi to io.jublk.targets, io.jublk.cli;
}
