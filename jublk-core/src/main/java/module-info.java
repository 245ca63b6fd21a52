/**
 * ublk, the Linux userspace block device driver, served from Java: devices and their queues
 * ({@code io.jublk.core}), what a target implements ({@code io.jublk.core.spi}) and the control
 * plane ({@code io.jublk.core.control}). The UAPI model is for jublk's own modules only.
 */
module io.jublk.core {
    requires transitive io.jublk.uring;

    exports io.jublk.core;
    exports io.jublk.core.spi;
    exports io.jublk.core.control;
    exports io.jublk.core.uapi to io.jublk.targets, io.jublk.cli;
}
