package io.jublk.core;

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
    USER_COPY;

    /** @return the name used on the command line and in {@code jublk list} */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
