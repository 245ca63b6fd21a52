// SPDX-License-Identifier: Apache-2.0
/**
 * jublk's built-in targets: null, memory, file (loop), an NBD client, and a fault injector.
 */
module io.jublk.targets {
    requires transitive io.jublk.core;
    requires jdk.jfr;

    exports io.jublk.targets;
    exports io.jublk.targets.nbd;
}
