// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

/**
 * Receives completion queue entries from {@link IoUring#pollCompletions(CompletionHandler)}.
 *
 * <p>Called on the ring's owning thread, once per CQE, in ring order. Keep the handler in a final field
 * (for example {@code this::onCompletion}) so polling allocates nothing. For a CQE32 ring the extra 16
 * bytes are not passed here.
 */
@FunctionalInterface
public interface CompletionHandler {

    /**
     * Handles one completion.
     *
     * @param userData the {@code user_data} of the SQE that produced this CQE
     * @param res the result: bytes transferred or another non-negative value on success, or a negative
     *            errno (for example {@code -9} for {@code EBADF}) on failure
     * @param flags {@code IORING_CQE_F_*} flags
     */
    void onCompletion(long userData, int res, int flags);
}
