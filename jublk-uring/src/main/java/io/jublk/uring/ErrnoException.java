// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import java.io.IOException;

/**
 * A system call or kernel command failed with an {@code errno}.
 *
 * <p>The message names the call, an optional context and the errno, for example
 * {@code io_uring_setup failed: EINVAL (Invalid argument)} or
 * {@code UBLK_CMD_START_DEV dev_id=3 failed: EINVAL (Invalid argument)}. The raw value is kept even when
 * it is not a known {@link Errno}. Immutable and thread-safe.
 */
public final class ErrnoException extends IOException {

    /** The failed call, as named by the thrower. */
    private final String call;
    /** The positive errno value, kept even when {@link Errno} does not know it. */
    private final int errnoValue;

    /**
     * Creates an exception for a failed call.
     *
     * @param call the failed call, e.g. {@code "io_uring_enter"}
     * @param errno the errno value; a negated value (as io_uring results carry it) is accepted too
     */
    public ErrnoException(String call, int errno) {
        this(call, null, errno);
    }

    /**
     * Creates an exception for a failed call with some context, such as a device or a path.
     *
     * @param call the failed call, e.g. {@code "UBLK_CMD_START_DEV"}
     * @param context what the call acted on, e.g. {@code "dev_id=3"}; null or empty for none
     * @param errno the errno value; a negated value (as io_uring results carry it) is accepted too
     */
    public ErrnoException(String call, String context, int errno) {
        super(message(call, context, errno));
        this.call = call;
        this.errnoValue = Math.abs(errno);
    }

    private static String message(String call, String context, int errno) {
        int v = Math.abs(errno);
        Errno e = Errno.of(v);
        String what = e == Errno.UNKNOWN ? "errno " + v + " (Unknown error " + v + ")"
                : e.name() + " (" + e.description() + ")";
        String where = context == null || context.isEmpty() ? call : call + " " + context;
        return where + " failed: " + what;
    }

    /**
     * The call that failed.
     *
     * @return the call name given at construction
     */
    public String call() {
        return call;
    }

    /**
     * The errno as an enum constant.
     *
     * @return the matching constant, or {@link Errno#UNKNOWN} for a value Linux does not define
     */
    public Errno errno() {
        return Errno.of(errnoValue);
    }

    /**
     * The raw errno value.
     *
     * @return the positive errno value
     */
    public int errnoValue() {
        return errnoValue;
    }
}
