// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * A read-only flyweight over one kernel struct: where the struct is (a segment and an offset in
 * it) and typed reads of its fields. The concrete flyweights add only their fields.
 *
 * <p>Reads are plain, bounds-checked loads in native byte order; they widen {@code __u8} and
 * {@code __u16} without sign and return 32- and 64-bit fields as their bit pattern. Not
 * thread-safe; reusable through {@link #wrap}.
 *
 * @param <T> the concrete flyweight, which {@link #wrap} returns for chaining
 */
public abstract class StructView<T extends StructView<T>> {

    private MemorySegment segment;
    private long offset;

    /** Only the flyweights of this package extend this class. */
    StructView() {
    }

    /**
     * Points this flyweight at a struct.
     *
     * @param segment memory holding the struct
     * @param offset  offset of the struct in {@code segment}
     * @return this
     */
    public final T wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return self();
    }

    /**
     * Returns the wrapped segment.
     *
     * @return the segment given to {@link #wrap}
     */
    public final MemorySegment segment() {
        return segment;
    }

    /**
     * Returns the offset of the struct in the wrapped segment.
     *
     * @return the offset given to {@link #wrap}
     */
    public final long offset() {
        return offset;
    }

    /** This flyweight as its concrete type; every subclass is declared with itself as {@code T}. */
    @SuppressWarnings("unchecked")
    final T self() {
        return (T) this;
    }

    /** Reads the {@code __u8} at {@code field} in the struct, widened without sign. */
    final int u8(long field) {
        return Byte.toUnsignedInt(segment.get(JAVA_BYTE, offset + field));
    }

    /** Reads the {@code __u16} at {@code field} in the struct, widened without sign. */
    final int u16(long field) {
        return Short.toUnsignedInt(segment.get(JAVA_SHORT, offset + field));
    }

    /** Reads the 32-bit field at {@code field} in the struct as its bit pattern. */
    final int i32(long field) {
        return segment.get(JAVA_INT, offset + field);
    }

    /** Reads the 64-bit field at {@code field} in the struct as its bit pattern. */
    final long i64(long field) {
        return segment.get(JAVA_LONG, offset + field);
    }
}
