// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelModulesTest {
    // Shaped like Debian 7.2's: virtio_console built in, 9p needing netfs and 9pnet.
    private static final String DEP = """
            kernel/fs/netfs/netfs.ko.xz:
            kernel/net/9p/9pnet.ko.xz: kernel/fs/netfs/netfs.ko.xz
            kernel/net/9p/9pnet_virtio.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz
            kernel/fs/9p/9p.ko.xz: kernel/net/9p/9pnet.ko.xz kernel/fs/netfs/netfs.ko.xz
            kernel/fs/overlayfs/overlay.ko.xz:
            kernel/drivers/block/ublk_drv.ko.xz:
            kernel/drivers/block/null_blk/null_blk.ko.xz: kernel/fs/configfs/configfs.ko.xz
            kernel/fs/configfs/configfs.ko.xz:
            kernel/drivers/foo/dash-name.ko.zst:
            """;
    private static final String BUILTIN = """
            kernel/drivers/virtio/virtio_pci.ko
            kernel/drivers/char/virtio_console.ko
            """;

    private final KernelModules modules = new KernelModules(DEP, BUILTIN);

    @Test
    void dependenciesComeFirstAndBuiltinsAreSkipped() {
        assertEquals(List.of("netfs", "9pnet", "9pnet_virtio", "9p", "overlay", "ublk_drv"),
                modules.loadOrder(Initramfs.MODULES));
    }

    @Test
    void sharedDependencyIsLoadedOnce() {
        assertEquals(List.of("configfs", "null_blk", "netfs", "9pnet", "9p"),
                modules.loadOrder(List.of("null_blk", "9p", "configfs")));
    }

    @Test
    void unknownModuleIsAnError() {
        assertThrows(IllegalStateException.class, () -> modules.loadOrder(List.of("no_such_fs")));
    }

    @Test
    void namesIgnoreDashesAndCompression() {
        assertEquals("9p", KernelModules.nameOf("kernel/fs/9p/9p.ko.xz"));
        assertEquals("dash_name", KernelModules.nameOf("dash-name"));
        assertTrue(modules.isModule("dash-name"));
        assertEquals("kernel/drivers/foo/dash-name.ko.zst", modules.path("dash_name"));
        assertTrue(modules.isBuiltin("virtio-console"));
        assertFalse(modules.isBuiltin("9p"));
    }

    @Test
    void cycleIsReported() {
        KernelModules cyclic = new KernelModules("a.ko: b.ko\nb.ko: a.ko\n", "");
        assertThrows(IllegalStateException.class, () -> cyclic.loadOrder(List.of("a")));
    }
}
