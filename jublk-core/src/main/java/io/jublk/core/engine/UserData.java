// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

/**
 * The user_data of a queue's io_uring operations: what kind of operation completed, for which tag,
 * and up to {@value #TARGET_DATA_BITS} bits a target keeps with its own operations.
 *
 * <p>Layout: bits 0-15 the tag, 16-23 the kind, 24-63 the target's data.
 */
public final class UserData {
    /** Bits of a target's user_data that it may use. */
    public static final int TARGET_DATA_BITS = 40;

    /** A FETCH, COMMIT_AND_FETCH or NEED_GET_DATA command. */
    public static final int KIND_IO_CMD = 1;
    /** The poll on the queue's eventfd that wakes its owner. */
    public static final int KIND_WAKE = 2;
    /** An operation a target submitted on the queue's ring. */
    public static final int KIND_TARGET = 3;
    /** Registering or unregistering a request's pages; completes only on failure. */
    public static final int KIND_BUF_REG = 4;
    /** A batch command (UBLK_F_BATCH_IO); the tag bits say which. */
    public static final int KIND_BATCH = 5;
    /** The timeout that bounds the owner's waits (see {@link WaitTimer}). */
    public static final int KIND_WAIT_TIMER = 6;

    private static final int KIND_SHIFT = 16;
    private static final int DATA_SHIFT = 24;

    private UserData() {
    }

    /**
     * @param kind one of the {@code KIND_*} constants
     * @param tag the request's tag
     * @return the user_data of a queue operation
     */
    public static long of(int kind, int tag) {
        return ((long) kind << KIND_SHIFT) | tag;
    }

    /**
     * @param tag the request the target's operation serves
     * @param data the target's own bits, at most {@value #TARGET_DATA_BITS}
     * @return the user_data of a target's operation
     */
    public static long target(int tag, long data) {
        return (data << DATA_SHIFT) | ((long) KIND_TARGET << KIND_SHIFT) | tag;
    }

    /**
     * @param userData a completion's user_data
     * @return its tag
     */
    public static int tag(long userData) {
        return (int) (userData & 0xffff);
    }

    /**
     * @param userData a completion's user_data
     * @return its kind
     */
    public static int kind(long userData) {
        return (int) ((userData >>> KIND_SHIFT) & 0xff);
    }

    /**
     * @param userData a target operation's user_data
     * @return the target's bits
     */
    public static long targetData(long userData) {
        return userData >>> DATA_SHIFT;
    }
}
