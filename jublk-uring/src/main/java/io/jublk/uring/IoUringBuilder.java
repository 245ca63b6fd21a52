// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import io.jublk.uring.sys.FileCalls;
import io.jublk.uring.sys.IoUringCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.jublk.uring.IoUringConstants.*;

/**
 * Configures and creates an {@link IoUring}. Not thread-safe; use once.
 */
public final class IoUringBuilder {

    private static final int MAX_ENTRIES = 32768;
    private static final int MAX_CQ_ENTRIES = 2 * MAX_ENTRIES;

    private final int entries;
    private int flags;
    private int cqSize;

    IoUringBuilder(int entries) {
        if (entries < 1 || entries > MAX_ENTRIES || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("entries must be a power of two in 1.." + MAX_ENTRIES + ": " + entries);
        }
        this.entries = entries;
    }

    /**
     * Uses 128-byte SQEs ({@code IORING_SETUP_SQE128}), as ublk control commands need.
     *
     * @return this builder
     */
    public IoUringBuilder sqe128() {
        flags |= IORING_SETUP_SQE128;
        return this;
    }

    /**
     * Uses 32-byte CQEs ({@code IORING_SETUP_CQE32}).
     *
     * @return this builder
     */
    public IoUringBuilder cqe32() {
        flags |= IORING_SETUP_CQE32;
        return this;
    }

    /**
     * Sets the CQ size ({@code IORING_SETUP_CQSIZE}); the kernel rounds it up to a power of two.
     *
     * @param cqEntries CQ entries, at least the SQ size and at most 65536
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public IoUringBuilder cqSize(int cqEntries) {
        if (cqEntries < entries || cqEntries > MAX_CQ_ENTRIES) {
            throw new IllegalArgumentException("cqEntries must be in " + entries + ".." + MAX_CQ_ENTRIES
                    + ": " + cqEntries);
        }
        this.cqSize = cqEntries;
        flags |= IORING_SETUP_CQSIZE;
        return this;
    }

    /**
     * Runs task work cooperatively ({@code IORING_SETUP_COOP_TASKRUN}).
     *
     * @return this builder
     */
    public IoUringBuilder coopTaskrun() {
        flags |= IORING_SETUP_COOP_TASKRUN;
        return this;
    }

    /**
     * Flags pending task work in the SQ flags ({@code IORING_SETUP_TASKRUN_FLAG}).
     *
     * @return this builder
     */
    public IoUringBuilder taskrunFlag() {
        flags |= IORING_SETUP_TASKRUN_FLAG;
        return this;
    }

    /**
     * Declares a single submitting thread ({@code IORING_SETUP_SINGLE_ISSUER}); the ring is then bound
     * to the thread calling {@link #build()}.
     *
     * @return this builder
     */
    public IoUringBuilder singleIssuer() {
        flags |= IORING_SETUP_SINGLE_ISSUER;
        return this;
    }

    /**
     * Defers task work to the owner's GETEVENTS enters ({@code IORING_SETUP_DEFER_TASKRUN}); needs
     * {@link #singleIssuer()}. Completions then appear only after {@link IoUring#submitAndWait(int)} or
     * another enter with GETEVENTS.
     *
     * @return this builder
     */
    public IoUringBuilder deferTaskrun() {
        flags |= IORING_SETUP_DEFER_TASKRUN;
        return this;
    }

    /**
     * Adds raw {@code IORING_SETUP_*} flags, passed through unchecked.
     *
     * @param rawFlags flags to OR in
     * @return this builder
     */
    public IoUringBuilder setupFlags(int rawFlags) {
        flags |= rawFlags;
        return this;
    }

    /**
     * Calls {@code io_uring_setup}, maps the rings (once when {@code IORING_FEAT_SINGLE_MMAP}) and
     * fills the SQ index array as the identity.
     *
     * @return the new ring, confined to the calling thread from now on
     * @throws ErrnoException if the kernel refuses the setup or a mapping
     * @throws IllegalArgumentException if {@code DEFER_TASKRUN} is set without {@code SINGLE_ISSUER}
     */
    public IoUring build() throws ErrnoException {
        if ((flags & IORING_SETUP_DEFER_TASKRUN) != 0 && (flags & IORING_SETUP_SINGLE_ISSUER) == 0) {
            throw new IllegalArgumentException("deferTaskrun() needs singleIssuer()");
        }
        int fd;
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment params = tmp.allocate(IO_URING_PARAMS_SIZE, 8); // zeroed
            params.set(ValueLayout.JAVA_INT, IO_URING_PARAMS_FLAGS_OFFSET, flags);
            params.set(ValueLayout.JAVA_INT, IO_URING_PARAMS_CQ_ENTRIES_OFFSET, cqSize);
            fd = IoUringCalls.setup(entries, params);
            try {
                return new IoUring(fd, params);
            } catch (ErrnoException | RuntimeException e) {
                FileCalls.closeQuietly(fd);
                throw e;
            }
        }
    }
}
