// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpioTest {
    record Entry(String name, int mode, int rdevMajor, int rdevMinor, byte[] data) {
    }

    /** A reader for what Cpio writes: newc headers, 4-byte alignment, trailer. */
    static List<Entry> read(byte[] archive) {
        List<Entry> entries = new ArrayList<>();
        int pos = 0;
        while (true) {
            String header = new String(archive, pos, 110, StandardCharsets.US_ASCII);
            assertEquals("070701", header.substring(0, 6), "magic at " + pos);
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Long.parseLong(header.substring(6 + 8 * i, 14 + 8 * i), 16);
            }
            int nameSize = (int) f[11];
            String name = new String(archive, pos + 110, nameSize - 1, StandardCharsets.UTF_8);
            pos = align(pos + 110 + nameSize);
            byte[] data = java.util.Arrays.copyOfRange(archive, pos, pos + (int) f[6]);
            pos = align(pos + (int) f[6]);
            if (name.equals("TRAILER!!!")) {
                return entries;
            }
            entries.add(new Entry(name, (int) f[1], (int) f[9], (int) f[10], data));
        }
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }

    @Test
    void roundTrip() throws IOException {
        byte[] archive = Cpio.toBytes(c -> {
            c.directory("bin", 0755);
            c.file("bin/x", 0755, "abcde".getBytes(StandardCharsets.US_ASCII));
            c.charDevice("dev/console", 0600, 5, 1);
            c.symlink("sh", "bin/x");
            c.file("empty", 0644, new byte[0]);
        });
        assertEquals(0, archive.length % 512);
        List<Entry> e = read(archive);
        assertEquals(5, e.size());
        assertEquals("bin", e.get(0).name());
        assertEquals(0040755, e.get(0).mode());
        assertEquals(0100755, e.get(1).mode());
        assertArrayEquals("abcde".getBytes(StandardCharsets.US_ASCII), e.get(1).data());
        assertEquals(0020600, e.get(2).mode());
        assertEquals(5, e.get(2).rdevMajor());
        assertEquals(1, e.get(2).rdevMinor());
        assertEquals(0120777, e.get(3).mode());
        assertEquals("bin/x", new String(e.get(3).data(), StandardCharsets.UTF_8));
        assertEquals(0, e.get(4).data().length);
    }
}
