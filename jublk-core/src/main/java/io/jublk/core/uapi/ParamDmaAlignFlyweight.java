// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_dma_align} (8 bytes): the DMA alignment mask of io
 * buffers. It is the {@code dma} member of {@code struct ublk_params}, reached through {@link
 * ParamsFlyweight#dma()}.
 *
 * <pre>
 *   alignment u32 @0, pad[4] @4
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 4-byte aligned.
 */
public final class ParamDmaAlignFlyweight extends StructFlyweight<ParamDmaAlignFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_DMA_ALIGN}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_DMA_ALIGN;
    /** Size of the struct in bytes (8). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamDmaAlignFlyweight() {
        super(LAYOUT);
    }

    private static final long ALIGNMENT_OFFSET = UblkLayouts.offsetOf(LAYOUT, "alignment");

    /**
     * Reads {@code alignment}.
     *
     * @return the DMA alignment mask
     */
    public int alignment() {
        return i32(ALIGNMENT_OFFSET);
    }

    /**
     * Writes {@code alignment}.
     *
     * @param alignment the DMA alignment mask (mask + 1 a power of two below the page size)
     * @return this
     */
    public ParamDmaAlignFlyweight alignment(int alignment) {
        return i32(ALIGNMENT_OFFSET, alignment);
    }
}
