// SPDX-License-Identifier: Apache-2.0
/**
 * The ublk user-space API of {@code include/uapi/linux/ublk_cmd.h} (Linux 7.2) as Java constants,
 * {@link java.lang.foreign.MemoryLayout}s and flyweights. No logic beyond the header's own
 * arithmetic, no system calls (except reading the page size once).
 *
 * <p>Conventions:
 * <ul>
 *   <li>Constants keep the kernel spellings ({@code UBLK_U_CMD_ADD_DEV}, {@code UBLK_F_USER_COPY},
 *       {@code UBLK_IO_OP_READ}): command codes, limits and offsets in {@link io.jublk.core.uapi.UblkCmd},
 *       feature flags in {@link io.jublk.core.uapi.UblkFeature}, io ops and flags in
 *       {@link io.jublk.core.uapi.UblkIoOp}. Every {@code UBLK*} constant here is checked against the
 *       header by {@code UapiHeaderTest}, and every macro of the header must exist here.</li>
 *   <li>Layouts are in {@link io.jublk.core.uapi.UblkLayouts}, named after the C structs and members.</li>
 *   <li>A {@code …Flyweight} has {@code wrap(segment, offset)}, {@code segment()}, {@code offset()}
 *       and, unless read-only, {@code clear()} from its base ({@link io.jublk.core.uapi.StructView},
 *       {@link io.jublk.core.uapi.StructFlyweight}); static {@code LAYOUT}, {@code SIZE} and
 *       {@code *_OFFSET} constants derived from the layout; and fluent accessors without get/set
 *       prefixes: {@code devId()} reads, {@code devId(int)} writes and returns the flyweight. A
 *       member struct has a flyweight of its own ({@code ublk_params.basic} is
 *       {@link io.jublk.core.uapi.ParamBasicFlyweight}).</li>
 *   <li>C unsigned types map to the Java type of the same width. Accessors widen {@code __u8} and
 *       {@code __u16} to a non-negative {@code int}, and return {@code __u32}/{@code __u64} as the
 *       bit pattern in {@code int}/{@code long} (use {@link java.lang.Integer#toUnsignedLong}).</li>
 *   <li>Memory is accessed in native byte order with plain (non-volatile) loads and stores; the io
 *       descriptor array is ordered by the io_uring completion that announces it. Flyweights are
 *       not thread-safe; constants and static helpers are.</li>
 * </ul>
 *
 * @see <a href="https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/tree/include/uapi/linux/ublk_cmd.h?h=v7.2">ublk_cmd.h at v7.2</a>
 */
package io.jublk.core.uapi;
