// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

/** A failure to set up or run the VM (as opposed to the guest command failing). */
public final class VmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VmException(String message) {
        super(message);
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
    }
}
