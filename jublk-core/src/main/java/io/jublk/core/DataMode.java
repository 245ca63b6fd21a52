// SPDX-License-Identifier: Apache-2.0
package io.jublk.core;

import io.jublk.core.spi.IoBufferProvider;
import io.jublk.core.spi.UblkIo;

/** How request data moves between the kernel and the server. */
public enum DataMode {
    /**
     * The kernel copies data to and from a buffer per tag that the library owns: anonymous memory that
     * costs nothing until the first request of that size touches it.
     */
    COPY,
    /**
     * The kernel copies data to and from buffers the application hands over per request, chosen after
     * the request is seen (an {@link IoBufferProvider}); writes use NEED_GET_DATA.
     */
    COPY_APPLICATION_BUFFERS,
    /**
     * UBLK_F_USER_COPY: the server reads and writes request data itself with pread/pwrite on
     * {@code /dev/ublkcN}, straight into its own memory; one copy.
     */
    USER_COPY,
    /**
     * UBLK_F_SUPPORT_ZERO_COPY (Linux 6.15+): no copy at all. Before handing a read or write to the
     * target, the queue registers the request's own pages in its io_uring's buffer table
     * (REGISTER_IO_BUF) at index {@link UblkIo#bufferIndex()}, and unregisters them with the commit;
     * the target moves data with READ_FIXED/WRITE_FIXED on that index. Only for targets that do
     * their IO on the queue's ring ({@link io.jublk.core.spi.TargetCapabilities#zeroCopy()}); privileged devices only.
     */
    ZERO_COPY,
    /**
     * UBLK_F_AUTO_BUF_REG (Linux 6.16+): zero copy as {@link #ZERO_COPY}, but the kernel registers the
     * request's pages itself before delivering it and unregisters them at the commit, so each request
     * costs no extra command.
     */
    AUTO_ZERO_COPY;

    /** @return whether request data never passes through the server's memory */
    public boolean isZeroCopy() {
        return this == ZERO_COPY || this == AUTO_ZERO_COPY;
    }

    /**
     * The mode a device was added with, from its granted flags; for taking a device over.
     *
     * @param deviceFlags the device's UBLK_F_* flags
     * @return the mode
     */
    public static DataMode of(long deviceFlags) {
        if ((deviceFlags & io.jublk.core.uapi.UblkFeature.UBLK_F_AUTO_BUF_REG) != 0) {
            return AUTO_ZERO_COPY;
        }
        if ((deviceFlags & io.jublk.core.uapi.UblkFeature.UBLK_F_SUPPORT_ZERO_COPY) != 0) {
            return ZERO_COPY;
        }
        if ((deviceFlags & io.jublk.core.uapi.UblkFeature.UBLK_F_USER_COPY) != 0) {
            return USER_COPY;
        }
        return (deviceFlags & io.jublk.core.uapi.UblkFeature.UBLK_F_NEED_GET_DATA) != 0 ? COPY_APPLICATION_BUFFERS : COPY;
    }

    /**
     * The fastest mode a kernel offers: auto-registered zero copy, else zero copy with explicit
     * registration, else user copy, else copy. Zero copy only counts for targets that support it.
     *
     * @param kernelFeatures the UBLK_F_* bits from GET_FEATURES
     * @param zeroCopyTarget whether the target can use the ring's fixed buffers
     * @return the mode
     */
    public static DataMode fastest(long kernelFeatures, boolean zeroCopyTarget) {
        if (zeroCopyTarget && (kernelFeatures & io.jublk.core.uapi.UblkFeature.UBLK_F_AUTO_BUF_REG) != 0) {
            return AUTO_ZERO_COPY;
        }
        if (zeroCopyTarget && (kernelFeatures & io.jublk.core.uapi.UblkFeature.UBLK_F_SUPPORT_ZERO_COPY) != 0) {
            return ZERO_COPY;
        }
        if ((kernelFeatures & io.jublk.core.uapi.UblkFeature.UBLK_F_USER_COPY) != 0) {
            return USER_COPY;
        }
        return COPY;
    }

    /** @return the name used on the command line and in {@code jublk list} */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
