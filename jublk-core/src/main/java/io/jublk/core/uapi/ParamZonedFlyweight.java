// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import java.lang.foreign.StructLayout;

/**
 * Flyweight over {@code struct ublk_param_zoned} (32 bytes): the zone limits of a zoned device. It
 * is the {@code zoned} member of {@code struct ublk_params}, reached through {@link
 * ParamsFlyweight#zoned()}.
 *
 * <pre>
 *   max_open_zones u32 @0, max_active_zones u32 @4, max_zone_append_sectors u32 @8,
 *   reserved[20] @12
 * </pre>
 *
 * <p>Offsets are from the start of this struct. Not thread-safe; reusable through {@link #wrap}.
 * The wrapped memory must be 4-byte aligned.
 */
public final class ParamZonedFlyweight extends StructFlyweight<ParamZonedFlyweight> {

    /** The layout, {@link UblkLayouts#UBLK_PARAM_ZONED}. */
    public static final StructLayout LAYOUT = UblkLayouts.UBLK_PARAM_ZONED;
    /** Size of the struct in bytes (32). */
    public static final long SIZE = LAYOUT.byteSize();

    /** Creates an unwrapped flyweight; call {@link #wrap} before use. */
    public ParamZonedFlyweight() {
        super(LAYOUT);
    }

    private static final long MAX_OPEN_ZONES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_open_zones");

    /**
     * Reads {@code max_open_zones}.
     *
     * @return the maximum open zones
     */
    public int maxOpenZones() {
        return i32(MAX_OPEN_ZONES_OFFSET);
    }

    /**
     * Writes {@code max_open_zones}.
     *
     * @param maxOpenZones the maximum open zones, 0 = no limit
     * @return this
     */
    public ParamZonedFlyweight maxOpenZones(int maxOpenZones) {
        return i32(MAX_OPEN_ZONES_OFFSET, maxOpenZones);
    }

    private static final long MAX_ACTIVE_ZONES_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_active_zones");

    /**
     * Reads {@code max_active_zones}.
     *
     * @return the maximum active zones
     */
    public int maxActiveZones() {
        return i32(MAX_ACTIVE_ZONES_OFFSET);
    }

    /**
     * Writes {@code max_active_zones}.
     *
     * @param maxActiveZones the maximum active zones, 0 = no limit
     * @return this
     */
    public ParamZonedFlyweight maxActiveZones(int maxActiveZones) {
        return i32(MAX_ACTIVE_ZONES_OFFSET, maxActiveZones);
    }

    private static final long MAX_ZONE_APPEND_SECTORS_OFFSET = UblkLayouts.offsetOf(LAYOUT, "max_zone_append_sectors");

    /**
     * Reads {@code max_zone_append_sectors}.
     *
     * @return the largest zone append in sectors
     */
    public int maxZoneAppendSectors() {
        return i32(MAX_ZONE_APPEND_SECTORS_OFFSET);
    }

    /**
     * Writes {@code max_zone_append_sectors}.
     *
     * @param maxZoneAppendSectors the largest zone append in sectors, not 0
     * @return this
     */
    public ParamZonedFlyweight maxZoneAppendSectors(int maxZoneAppendSectors) {
        return i32(MAX_ZONE_APPEND_SECTORS_OFFSET, maxZoneAppendSectors);
    }
}
