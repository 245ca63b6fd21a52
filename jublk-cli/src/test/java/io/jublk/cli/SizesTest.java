// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizesTest {
    @Test
    void shouldParsePlainBytes() {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(1, Sizes.parse("1B"));
    }

    @Test
    void shouldParseBinarySuffixesInAnyCase() {
        assertEquals(512L << 10, Sizes.parse("512K"));
        assertEquals(512L << 20, Sizes.parse("512m"));
        assertEquals(1L << 30, Sizes.parse("1G"));
        assertEquals(2L << 40, Sizes.parse("2T"));
        assertEquals(1L << 30, Sizes.parse("1GiB"));
        assertEquals(1L << 30, Sizes.parse("1gb"));
        assertEquals(1L << 30, Sizes.parse(" 1 G "));
    }

    @Test
    void shouldParseDecimalsThatAreWholeBytes() {
        assertEquals(3L << 29, Sizes.parse("1.5G"));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("1.0001K"));
    }

    @Test
    void shouldRejectWhatIsNotASize() {
        for (String bad : new String[] {"", "G", "1X", "-1G", "1GG", "1iB", "one", "0x10", "1 G B"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(bad), bad);
            assertTrue(e.getMessage().contains("not a size"), e.getMessage());
        }
    }

    @Test
    void shouldRejectZeroAndOverflow() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("0")).getMessage().contains("zero"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Sizes.parse("9E")).getMessage().contains("too large"));
    }

    @Test
    void shouldFormatInTheLargestWholeUnit() {
        assertEquals("700 B", Sizes.format(700));
        assertEquals("4 KiB", Sizes.format(4096));
        assertEquals("512 MiB", Sizes.format(512L << 20));
        assertEquals("1 GiB", Sizes.format(1L << 30));
        assertEquals("250 GiB", Sizes.format(250L << 30));
        assertEquals("1.5 GiB", Sizes.format(3L << 29));
        assertEquals("~1.3 KiB", Sizes.format(1300));
    }

    @Test
    void shouldRoundTripFormattedWholeSizes() {
        for (long size : new long[] {1L << 10, 3L << 20, 7L << 30, 1L << 40}) {
            assertEquals(size, Sizes.parse(Sizes.format(size).replace(" ", "")));
        }
    }
}
