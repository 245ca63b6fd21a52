// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What an NbdTarget makes of an export, before any device exists. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NbdTargetTest {
    @TempDir
    Path dir;

    @Test
    void shouldAdvertiseWhatTheServerOffers() throws Exception {
        try (NbdServer s = NbdServer.nbdkit(dir, true, List.of(), "memory", "64M");
             NbdTarget t = NbdTarget.builder(s.uri).open()) {
            assertEquals(64L << 20, t.size());
            assertEquals(512, t.logicalBlockSize());
            assertEquals(TargetCapabilities.DEFAULT.withDiscard(true).withWriteZeroes(true), t.capabilities());
            assertEquals(TargetGeometry.ofSize(64L << 20).withLogicalBlockSize(512).withMaxIoBytes(512 << 10), t.geometry());
            assertEquals(1, t.connectionCount(), "more connections come with the queues");
            assertEquals(1, t.connectionsUp());
        }
    }

    @Test
    void shouldMakeAReadOnlyExportAReadOnlyDeviceWithoutTrimOrZeroing() throws Exception {
        try (NbdServer s = NbdServer.nbdkit(dir, true, List.of("-r"), "memory", "16M");
             NbdTarget t = NbdTarget.open(s.uri)) {
            assertTrue(t.isReadOnly());
            TargetCapabilities caps = t.capabilities();
            assertTrue(caps.readOnly());
            assertFalse(caps.discard());
            assertFalse(caps.writeZeroes());
        }
    }

    @Test
    void shouldNotAdvertiseZeroingWhereTheServerHasNone() throws Exception {
        try (NbdServer s = NbdServer.nbdkit(dir, true, List.of("--filter=nozero"), "memory", "16M", "zeromode=none");
             NbdTarget t = NbdTarget.open(s.uri)) {
            assertEquals(TargetCapabilities.DEFAULT.withDiscard(true), t.capabilities());
        }
    }

    @Test
    void shouldTakeTheServersBlockSizesAndRoundTheSizeDown() throws Exception {
        try (NbdServer s = NbdServer.nbdkit(dir, true, List.of("--filter=blocksize-policy"), "memory", "5000000",
                "blocksize-minimum=4096", "blocksize-preferred=4096", "blocksize-maximum=131072");
             NbdTarget t = NbdTarget.open(s.uri)) {
            assertEquals(4096, t.logicalBlockSize());
            assertEquals(5000000L / 4096 * 4096, t.size());
            assertEquals(131072, t.maxIoBytes());
        }
    }

    @Test
    void shouldOpenAsManyConnectionsAsAskedWithMultiConn() throws Exception {
        try (NbdServer s = NbdServer.nbdkit(dir, false, List.of(), "memory", "16M");
             NbdTarget t = NbdTarget.builder(s.uri).connections(3).open()) {
            assertEquals(3, t.connectionCount());
            assertEquals(3, t.connectionsUp());
        }
    }

    @Test
    void shouldSayWhatIsWrongWithBadSettings() throws Exception {
        NbdUri uri = NbdUri.unix(dir.resolve("nobody.sock"), "");
        NbdTarget.Builder b = NbdTarget.builder(uri);
        assertThrows(IllegalArgumentException.class, () -> b.connections(-1));
        assertThrows(IllegalArgumentException.class, () -> b.reconnect(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> b.reconnect(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> b.openTimeout(Duration.ZERO));
        assertThrows(IOException.class, b::open, "nothing listens");
    }
}
