// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.StructLayout;

/**
 * A flyweight over one kernel struct that is also written: a {@link StructView} plus
 * {@link #clear()} and typed writes that return the flyweight, so fields can be set in a chain.
 *
 * <p>Writes are plain, bounds-checked stores in native byte order that keep the low bits of the
 * value. Not thread-safe; reusable through {@link #wrap}.
 *
 * @param <T> the concrete flyweight, which {@link #wrap}, {@link #clear()} and the setters return
 */
public abstract class StructFlyweight<T extends StructFlyweight<T>> extends StructView<T> {

    private final long size;

    /**
     * Only the flyweights of this package extend this class.
     *
     * @param layout the struct's layout, whose size {@link #clear()} zeroes
     */
    StructFlyweight(StructLayout layout) {
        this.size = layout.byteSize();
    }

    /**
     * Zeroes the whole struct, including the reserved fields and padding the kernel expects to be 0.
     *
     * @return this
     */
    public final T clear() {
        segment().asSlice(offset(), size).fill((byte) 0);
        return self();
    }

    /** Writes the low 8 bits of {@code value} to the {@code __u8} at {@code field}. */
    final T u8(long field, int value) {
        segment().set(JAVA_BYTE, offset() + field, (byte) value);
        return self();
    }

    /** Writes the low 16 bits of {@code value} to the {@code __u16} at {@code field}. */
    final T u16(long field, int value) {
        segment().set(JAVA_SHORT, offset() + field, (short) value);
        return self();
    }

    /** Writes {@code value} to the 32-bit field at {@code field}. */
    final T i32(long field, int value) {
        segment().set(JAVA_INT, offset() + field, value);
        return self();
    }

    /** Writes {@code value} to the 64-bit field at {@code field}. */
    final T i64(long field, long value) {
        segment().set(JAVA_LONG, offset() + field, value);
        return self();
    }
}
