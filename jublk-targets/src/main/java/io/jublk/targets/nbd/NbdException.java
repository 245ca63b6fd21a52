// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import java.io.IOException;

/** The NBD server refused something during negotiation, or broke the protocol. */
public final class NbdException extends IOException {
    private final int replyType;

    public NbdException(String message) {
        this(message, 0);
    }

    /**
     * @param replyType the NBD_REP_ERR_* value the server sent, or 0 when the failure is not a
     *                  server-reported option error
     */
    public NbdException(String message, int replyType) {
        super(message);
        this.replyType = replyType;
    }

    /** The NBD_REP_ERR_* value the server sent, or 0. */
    public int replyType() {
        return replyType;
    }
}
