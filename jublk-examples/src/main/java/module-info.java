// SPDX-License-Identifier: Apache-2.0
/**
 * Programs that serve ublk devices with jublk, written as a consumer of the library writes them:
 * on the module path, with only the exported API.
 */
module io.jublk.examples {
    requires io.jublk.targets;

    exports io.jublk.examples;
}
