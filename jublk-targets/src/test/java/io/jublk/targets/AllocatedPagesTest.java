// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AllocatedPagesTest {
    private static final int PAGE = 4096;

    @Test
    void shouldStartClearAndRefuseRangesOutside() {
        AllocatedPages pages = new AllocatedPages(64L * PAGE);
        assertFalse(pages.allSet(0, PAGE));
        pages.set(0, 64L * PAGE);
        assertTrue(pages.allSet(0, 64L * PAGE));
        assertFalse(pages.allSet(63L * PAGE, 2 * PAGE), "runs past the end");
        assertFalse(pages.allSet(-PAGE, PAGE));
        assertFalse(pages.allSet(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new AllocatedPages(PAGE + 512));
    }

    @Test
    void shouldCountEveryPageARangeTouches() {
        AllocatedPages pages = new AllocatedPages(256L * PAGE);
        pages.set(PAGE + 512, 512); // inside page 1 only
        assertTrue(pages.allSet(PAGE, PAGE));
        assertFalse(pages.allSet(PAGE, PAGE + 1), "page 2 is clear");
        pages.set(60L * PAGE, 10L * PAGE); // across a word boundary
        assertTrue(pages.allSet(60L * PAGE, 10L * PAGE));
        pages.clear(64L * PAGE + 100, 1); // part of page 64 clears all of it
        assertFalse(pages.allSet(60L * PAGE, 10L * PAGE));
        assertTrue(pages.allSet(60L * PAGE, 4L * PAGE));
        assertTrue(pages.allSet(65L * PAGE, 5L * PAGE));
        pages.set(250L * PAGE, 100L * PAGE); // clipped at the end
        assertTrue(pages.allSet(250L * PAGE, 6L * PAGE));
    }

    @Test
    void shouldAgreeWithABitSetOnRandomRanges() {
        int count = 1000;
        AllocatedPages pages = new AllocatedPages((long) count * PAGE);
        BitSet expected = new BitSet(count);
        Random random = new Random(11);
        for (int i = 0; i < 20_000; i++) {
            long offset = random.nextInt(count * PAGE);
            long length = 1 + random.nextInt(random.nextBoolean() ? 2 * PAGE : 200 * PAGE);
            int first = (int) (offset / PAGE);
            int last = (int) Math.min(count - 1, (offset + length - 1) / PAGE);
            switch (random.nextInt(3)) {
                case 0 -> {
                    pages.set(offset, length);
                    expected.set(first, last + 1);
                }
                case 1 -> {
                    pages.clear(offset, length);
                    expected.clear(first, last + 1);
                }
                default -> {
                    boolean inside = offset + length <= (long) count * PAGE;
                    boolean all = inside && expected.nextClearBit(first) > last;
                    assertEquals(all, pages.allSet(offset, length), "range " + offset + "+" + length);
                }
            }
        }
    }
}
