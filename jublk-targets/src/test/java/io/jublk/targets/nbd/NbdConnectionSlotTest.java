// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jublk.targets.nbd.NbdConnection.Command;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link NbdConnection#sendInSlot}: reused per-slot bookkeeping, as the nbd target sends per ublk tag. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NbdConnectionSlotTest {
    private static final int SLOTS = 16;
    private static final int BLOCK = 65536;

    @TempDir
    Path dir;

    private final Arena arena = Arena.ofShared();
    private NbdServer server;
    private NbdConnection conn;

    /** Counts completions and keeps each slot's last error; allocation-free. */
    private static final class SlotListener implements NbdConnection.Listener {
        final AtomicInteger done = new AtomicInteger();
        final AtomicIntegerArray errors = new AtomicIntegerArray(SLOTS);
        final AtomicReference<Thread> reader = new AtomicReference<>();

        @Override
        public void completed(long handle, int error, MemorySegment data) {
            reader.compareAndSet(null, Thread.currentThread());
            errors.set(NbdConnection.slotOf(handle), error);
            done.incrementAndGet();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (conn != null) {
            conn.close();
        }
        if (server != null) {
            server.close();
        }
        arena.close();
    }

    private SlotListener connect(boolean structured) throws Exception {
        server = NbdServer.nbdkit(dir, true, structured ? List.of() : List.of("--no-sr"), "memory", "64M");
        SlotListener listener = new SlotListener();
        conn = NbdConnection.open(server.uri, structured, listener);
        return listener;
    }

    private static void awaitDone(SlotListener l, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (l.done.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + l.done.get() + " of " + count + " requests completed within 30 s");
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldReadBackWhatEachSlotWrote() throws Exception {
        for (boolean structured : new boolean[] {true, false}) {
            SlotListener l = connect(structured);
            MemorySegment[] buffers = new MemorySegment[SLOTS];
            byte[][] written = new byte[SLOTS][BLOCK];
            Random random = new Random(structured ? 1 : 2);
            for (int slot = 0; slot < SLOTS; slot++) {
                random.nextBytes(written[slot]);
                buffers[slot] = arena.allocate(BLOCK).copyFrom(MemorySegment.ofArray(written[slot]));
                conn.sendInSlot(slot, Command.WRITE, (long) slot * BLOCK, BLOCK, buffers[slot], 0);
            }
            awaitDone(l, SLOTS);
            for (int slot = 0; slot < SLOTS; slot++) {
                assertEquals(0, l.errors.get(slot));
                buffers[slot].fill((byte) 0);
                // Half a block: the slot's buffer is bigger than the request, as a ublk tag's is.
                conn.sendInSlot(slot, Command.READ, (long) slot * BLOCK, BLOCK / 2, buffers[slot], 0);
            }
            awaitDone(l, 2 * SLOTS);
            // A flush ignores its range, as a ublk flush's has none (offset -512).
            conn.sendInSlot(0, Command.FLUSH, -512, 0, null, 0);
            awaitDone(l, 2 * SLOTS + 1);
            for (int slot = 0; slot < SLOTS; slot++) {
                assertEquals(0, l.errors.get(slot));
                byte[] expected = java.util.Arrays.copyOf(written[slot], BLOCK);
                java.util.Arrays.fill(expected, BLOCK / 2, BLOCK, (byte) 0);
                assertArrayEquals(expected, buffers[slot].toArray(ValueLayout.JAVA_BYTE), "slot " + slot);
            }
            assertEquals(0, conn.inFlight());
            conn.close();
            server.close();
            java.nio.file.Files.deleteIfExists(server.uri.socketPath());
        }
    }

    @Test
    void shouldRefuseASlotThatIsInFlightAndHandlesThatLookLikeSlots() throws Exception {
        server = NbdServer.nbdkit(dir, true, List.of("--filter=delay"), "memory", "16M", "rdelay=2");
        SlotListener l = new SlotListener();
        conn = NbdConnection.open(server.uri, true, l);
        MemorySegment buf = arena.allocate(4096);
        conn.sendInSlot(3, Command.READ, 0, 4096, buf, 0);
        assertThrows(IllegalStateException.class, () -> conn.sendInSlot(3, Command.READ, 0, 4096, buf, 0));
        assertThrows(IllegalArgumentException.class,
                () -> conn.send(NbdConnection.slotHandle(3), Command.READ, 0, 4096, buf, 0));
        assertEquals(1, conn.inFlight());
        awaitDone(l, 1);
        assertEquals(3, NbdConnection.slotOf(NbdConnection.slotHandle(3)));
        assertEquals(-1, NbdConnection.slotOf(42));
    }

    @Test
    void shouldAllocateNothingPerRequestOnceTheSlotsAreWarm() throws Exception {
        SlotListener l = connect(true);
        MemorySegment[] buffers = new MemorySegment[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            buffers[slot] = arena.allocate(BLOCK).fill((byte) slot);
        }
        int[] sent = {0};
        Runnable round = () -> {
            for (int slot = 0; slot < SLOTS; slot++) {
                Command c = (sent[0] / SLOTS) % 2 == 0 ? Command.WRITE : Command.READ;
                conn.sendInSlot(slot, c, (long) slot * BLOCK, BLOCK, buffers[slot], 0);
            }
            sent[0] += SLOTS;
            awaitDone(l, sent[0]);
        };
        for (int i = 0; i < 2000; i++) {
            round.run(); // warm up: slot tables, JIT, the JDK's per-thread IO vectors
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long reader = l.reader.get().threadId();
        long self = Thread.currentThread().threadId();
        long senderBefore = threads.getThreadAllocatedBytes(self);
        long readerBefore = threads.getThreadAllocatedBytes(reader);
        int rounds = 500;
        for (int i = 0; i < rounds; i++) {
            round.run();
        }
        long senderBytes = threads.getThreadAllocatedBytes(self) - senderBefore;
        long readerBytes = threads.getThreadAllocatedBytes(reader) - readerBefore;
        int requests = rounds * SLOTS;
        for (int slot = 0; slot < SLOTS; slot++) {
            assertEquals(0, l.errors.get(slot));
        }
        System.out.printf("sendInSlot: %d requests, %d bytes allocated by the sender, %d by the reader%n",
                requests, senderBytes, readerBytes);
        // A few stray bytes (a JIT deoptimization, the measurement itself) are not per request.
        assertTrue(senderBytes < requests, "sender allocated " + senderBytes + " bytes for " + requests + " requests");
        assertTrue(readerBytes < requests, "reader allocated " + readerBytes + " bytes for " + requests + " requests");
    }
}
