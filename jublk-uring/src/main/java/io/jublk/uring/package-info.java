// SPDX-License-Identifier: Apache-2.0
/**
 * A small, allocation-free io_uring binding for jublk, written directly against the kernel uapi with the
 * JDK's foreign function and memory API (no JNI, no liburing).
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link io.jublk.uring.IoUring}: one ring (setup, mmaps, submit, wait, poll, register, close).</li>
 *   <li>{@link io.jublk.uring.SubmissionEntry}: the ring's reusable flyweight over one SQE.</li>
 *   <li>{@link io.jublk.uring.CompletionHandler}: receives CQEs as primitives.</li>
 *   <li>{@code io.jublk.uring.sys}: the raw system call layer beneath them (FFM downcalls into libc with
 *       errno capture), by area, with the libc constants callers need.</li>
 *   <li>{@link io.jublk.uring.IoUringConstants}: uapi constants and struct offsets, kernel spellings.</li>
 *   <li>{@link io.jublk.uring.ErrnoException} and {@link io.jublk.uring.Errno}: typed failures.</li>
 *   <li>{@link io.jublk.uring.EventFd}: cross-thread wake-ups.</li>
 * </ul>
 *
 * <h2>Return values and errors</h2>
 * <ul>
 *   <li>System calls that fail throw {@link io.jublk.uring.ErrnoException}, whose message names the call
 *       (and any context) and the errno: {@code io_uring_setup failed: EINVAL (Invalid argument)}.</li>
 *   <li>Request results arrive in CQEs as in the kernel: bytes or another non-negative value on success,
 *       {@code -errno} on failure. {@link io.jublk.uring.Errno#of(int)} accepts the negated value.</li>
 *   <li>Waiting is not failing: {@code ETIME} and {@code EINTR} from a wait return 0, not an exception.</li>
 *   <li>Using a closed ring or eventfd throws {@link java.lang.IllegalStateException}; it never touches
 *       unmapped memory.</li>
 * </ul>
 *
 * <h2>Memory ordering</h2>
 * Kernel-shared ring words (names starting with {@code k}: {@code kSqHead}, {@code kSqTail},
 * {@code kCqHead}, {@code kCqTail}) are accessed through a {@code static final VarHandle} from
 * {@code ValueLayout.JAVA_INT.varHandle()}. Producer side: write the SQE fields plainly, then store the SQ
 * tail with release semantics, then enter; load the kernel's SQ head with acquire semantics before reusing
 * a slot. Consumer side: load the CQ tail with acquire semantics, read the CQEs plainly, then store the CQ
 * head with release semantics once per batch. Cached private copies drop the {@code k}.
 *
 * <h2>Threading</h2>
 * A ring belongs to one thread after it is built: only that thread prepares SQEs, submits, waits, polls
 * and registers; nothing is locked or checked on that path. {@code close()} may come from any thread.
 * Other threads wake the owner through an {@link io.jublk.uring.EventFd} (signal from anywhere; the owner
 * polls or reads it through its ring) or an {@code IORING_OP_MSG_RING} from their own ring.
 *
 * <h2>Allocation</h2>
 * {@code nextSqe}, {@code submit}, {@code submitAndWait} (with or without a timeout) and
 * {@code pollCompletions} allocate nothing in steady state: scratch memory is allocated per ring, errno is
 * captured into a preallocated segment, and handlers receive primitives.
 */
package io.jublk.uring;
