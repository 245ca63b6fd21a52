// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class QemuTest {
    @Test
    void noDiskUnlessOneIsNamed() {
        assertEquals(List.of(), Qemu.disk(null));
        assertEquals(List.of(), Qemu.disk(" "));
    }

    @Test
    void diskIsARawVirtioDriveWithCommasDoubled() {
        assertEquals(List.of("-drive", "file=/tmp/a,,b.img,format=raw,if=virtio,cache=writeback"),
                Qemu.disk("/tmp/a,b.img"));
    }
}
