// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SocketCallsTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCarryADatagramToABoundPath() throws Exception {
        roundTrip(tmp.resolve("notify.sock").toString());
    }

    @Test
    void shouldCarryADatagramToAnAbstractName() throws Exception {
        roundTrip("\0jublk-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @Test
    void shouldSayWhoIsNotListening() throws Exception {
        int fd = SocketCalls.unixDatagramSocket();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment msg = arena.allocateFrom("READY=1", StandardCharsets.UTF_8);
            String nobody = tmp.resolve("nobody.sock").toString();
            ErrnoException e = assertThrows(ErrnoException.class, () -> SocketCalls.sendTo(fd, msg, 7, nobody));
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals("sendto", e.call());
            assertThrows(IllegalArgumentException.class, () -> SocketCalls.sendTo(fd, msg, 7, "x".repeat(108)));
            assertEquals(-Errno.EAGAIN.value(), SocketCalls.recv(fd, msg, 7, SocketCalls.MSG_DONTWAIT));
        } finally {
            FileCalls.close(fd);
        }
    }

    private static void roundTrip(String address) throws Exception {
        int receiver = SocketCalls.unixDatagramSocket();
        int sender = SocketCalls.unixDatagramSocket();
        try (Arena arena = Arena.ofConfined()) {
            SocketCalls.bind(receiver, address);
            byte[] text = "READY=1\nSTATUS=serving".getBytes(StandardCharsets.UTF_8);
            MemorySegment out = arena.allocate(text.length);
            MemorySegment.copy(text, 0, out, ValueLayout.JAVA_BYTE, 0, text.length);
            assertEquals(text.length, SocketCalls.sendTo(sender, out, text.length, address));
            MemorySegment in = arena.allocate(256);
            long n = SocketCalls.recv(receiver, in, in.byteSize(), 0);
            assertEquals(text.length, n);
            assertEquals("READY=1\nSTATUS=serving",
                    new String(in.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        } finally {
            FileCalls.close(sender);
            FileCalls.close(receiver);
        }
    }
}
