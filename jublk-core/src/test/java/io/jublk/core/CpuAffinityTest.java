// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPU lists as the kernel writes them, and binding a thread of this process. */
class CpuAffinityTest {

    @Test
    void shouldParseAndFormatCpuLists() {
        BitSet cpus = CpuAffinity.parse(" 0-3, 8,10-11 ");
        assertEquals(BitSet.valueOf(new long[] {0b1101_0000_1111L}), cpus);
        assertEquals("0-3,8,10-11", CpuAffinity.format(cpus));
        assertEquals("5", CpuAffinity.format(CpuAffinity.parse("5")));
        assertEquals("1-2", CpuAffinity.format(CpuAffinity.parse("1,2")));
        assertEquals("", CpuAffinity.format(new BitSet()));
        assertEquals("64-65", CpuAffinity.format(CpuAffinity.parse("64-65")));
    }

    @Test
    void shouldRefuseMalformedCpuLists() {
        for (String bad : new String[] {"", " ", "a", "1,", "-1", "3-1", "1-", "0-1-2", "1.5", "9999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse(bad), bad);
            assertFalse(e.getMessage().isBlank());
        }
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse(null));
    }

    @Test
    void shouldBindTheCallingThreadOnly() throws Exception {
        BitSet all = CpuAffinity.currentThreadCpus();
        assertFalse(all.isEmpty(), "this thread may run somewhere");
        BitSet first = new BitSet();
        first.set(all.nextSetBit(0));
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                CpuAffinity.pinCurrentThread(first);
                seen.set(CpuAffinity.currentThreadCpus());
            } catch (UblkException e) {
                seen.set(e);
            }
        });
        t.join();
        assertEquals(first, seen.get());
        assertEquals(all, CpuAffinity.currentThreadCpus(), "the calling thread's set is untouched");
    }

    @Test
    void shouldRefuseCpusTheProcessCannotUse() {
        BitSet absent = new BitSet();
        absent.set(8191);
        UblkException e = assertThrows(UblkException.class, () -> CpuAffinity.pinCurrentThread(absent));
        assertTrue(e.getMessage().contains("8191"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(new BitSet()));
    }

    @Test
    void shouldParseQueueAffinities() {
        assertTrue(QueueAffinity.parse("none").isNone());
        assertTrue(QueueAffinity.parse("Kernel").isKernel());
        assertEquals("0-1:2-3", QueueAffinity.parse("0-1:2-3").toString());
        assertEquals("2", QueueAffinity.parse(" 2 ").toString());
        assertEquals("kernel", QueueAffinity.KERNEL.toString());
        assertThrows(IllegalArgumentException.class, () -> QueueAffinity.parse("0-1::2"));
        assertThrows(IllegalArgumentException.class, () -> QueueAffinity.parse(""));
        assertThrows(IllegalArgumentException.class, () -> QueueAffinity.cpus(List.of()));
        assertThrows(IllegalArgumentException.class, () -> QueueAffinity.cpus(List.of(new BitSet())));
    }

    @Test
    void shouldKeepItsOwnCopyOfTheCpuSets() {
        BitSet cpus = CpuAffinity.parse("1");
        QueueAffinity affinity = QueueAffinity.cpus(List.of(cpus));
        cpus.set(5);
        assertEquals("1", affinity.toString());
    }

    @Test
    void shouldBindNothingForNone() throws Exception {
        assertNull(QueueAffinity.NONE.cpusFor(null));
        QueueAffinity.NONE.pinCurrentThread(null);
    }

    @Test
    void shouldRefuseAQueueGroupWithoutCpus() {
        assertThrows(IllegalArgumentException.class, () -> QueueGroup.create(new BitSet()));
    }
}
