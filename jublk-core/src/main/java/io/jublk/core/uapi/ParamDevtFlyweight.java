// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_devt} (16 bytes): the char and block device numbers,
 * which the kernel fills in for GET_PARAMS. It is the {@code devt} member of {@code struct
 * ublk_params}, reached through {@link ParamsFlyweight#devt()}.
 *
 * <pre>
 *   char_major @0, char_minor @4, disk_major @8, disk_minor @12 (u32, read-only)
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 4-byte aligned.
 */
public final class ParamDevtFlyweight extends StructView<ParamDevtFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_DEVT}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_DEVT;
    /** Size of the struct in bytes (16). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamDevtFlyweight() {
    }

    private static final long CHAR_MAJOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "char_major");

    /**
     * Reads {@code char_major}.
     *
     * @return the char device major number
     */
    public int charMajor() {
        return i32(CHAR_MAJOR_OFFSET);
    }

    private static final long CHAR_MINOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "char_minor");

    /**
     * Reads {@code char_minor}.
     *
     * @return the char device minor number
     */
    public int charMinor() {
        return i32(CHAR_MINOR_OFFSET);
    }

    private static final long DISK_MAJOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "disk_major");

    /**
     * Reads {@code disk_major}.
     *
     * @return the block device major number (after START_DEV)
     */
    public int diskMajor() {
        return i32(DISK_MAJOR_OFFSET);
    }

    private static final long DISK_MINOR_OFFSET = UblkLayouts.offsetOf(LAYOUT, "disk_minor");

    /**
     * Reads {@code disk_minor}.
     *
     * @return the block device minor number (after START_DEV)
     */
    public int diskMinor() {
        return i32(DISK_MINOR_OFFSET);
    }
}
