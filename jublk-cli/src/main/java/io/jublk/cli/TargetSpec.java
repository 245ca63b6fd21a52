// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.nio.file.Path;

/**
 * What a target is made from, beyond the device's size.
 *
 * @param path the backing file or block device ({@code file})
 * @param direct open the backing with O_DIRECT ({@code file})
 * @param readOnly serve the device read-only
 * @param url the NBD server's URI ({@code nbd})
 * @param connections connections to the server, 0 for one per queue ({@code nbd})
 */
record TargetSpec(Path path, boolean direct, boolean readOnly, String url, int connections) {
    static final TargetSpec NONE = new TargetSpec(null, false, false, null, 0);

    TargetSpec(Path path, boolean direct, boolean readOnly) {
        this(path, direct, readOnly, null, 0);
    }
}
