// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import io.jublk.targets.nbd.NbdConnection.Command;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/** A request in flight on a connection: one per fresh handle, or one reused per slot. */
final class PendingRequest {
    private static final VarHandle BUSY;
    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(PendingRequest.class, "busy", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Command command;
    long offset;
    long length;
    MemorySegment data;
    /** A view of data: the whole segment for a slot, the request's bytes otherwise. */
    ByteBuffer buffer;
    /** The first error a structured reply reported; reader thread only. */
    int error;
    /** Whether a slot is in flight; accessed through BUSY. */
    @SuppressWarnings("unused")
    private volatile boolean busy;

    void set(Command command, long offset, long length, MemorySegment data, ByteBuffer buffer) {
        this.command = command;
        this.offset = offset;
        this.length = length;
        this.data = data;
        this.buffer = buffer;
        this.error = 0;
    }

    boolean isBusy() {
        return (boolean) BUSY.getVolatile(this);
    }

    /** Marks a slot in flight; the volatile CAS publishes the fields set before it to the reader. */
    boolean occupy() {
        return BUSY.compareAndSet(this, false, true);
    }

    /** Marks a slot free; true for exactly one caller. */
    boolean release() {
        return BUSY.compareAndSet(this, true, false);
    }
}
