// SPDX-License-Identifier: Apache-2.0
/**
 * io_uring in pure Java over the Foreign Function and Memory API: rings over mmapped segments,
 * submission entries, completions and errno handling. Its downcalls need native access:
 * {@code --enable-native-access=io.jublk.uring} (or {@code ALL-UNNAMED} on the class path).
 */
module io.jublk.uring {
    exports io.jublk.uring;
    // The CLI sends service manager notifications over a Unix datagram socket (SocketCalls).
    exports io.jublk.uring.sys to io.jublk.core, io.jublk.targets, io.jublk.cli;
}
