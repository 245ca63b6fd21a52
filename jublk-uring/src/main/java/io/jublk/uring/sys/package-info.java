// SPDX-License-Identifier: Apache-2.0
/**
 * The raw Linux system call layer under jublk's io_uring binding: static wrappers over libc, made through
 * FFM downcalls, grouped by area ({@link io.jublk.uring.sys.FileCalls}, {@link io.jublk.uring.sys.MemoryCalls},
 * {@link io.jublk.uring.sys.IoUringCalls}, {@link io.jublk.uring.sys.EventCalls},
 * {@link io.jublk.uring.sys.ProcessCalls}, {@link io.jublk.uring.sys.SocketCalls}), each with the constants
 * its calls take in their kernel spellings. {@link io.jublk.uring.sys.Libc} holds what they share: the downcalls' errno capture.
 *
 * <p>A failing call throws {@link io.jublk.uring.ErrnoException} naming the call; the {@code *Raw} forms
 * return {@code -errno} instead, for hot paths that take their own capture area and must not allocate.
 */
package io.jublk.uring.sys;
