// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUringConstants;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static io.jublk.uring.sys.Libc.check;
import static io.jublk.uring.sys.Libc.checkBuffer;
import static io.jublk.uring.sys.Libc.downcall;
import static io.jublk.uring.sys.Libc.rethrow;
import static io.jublk.uring.sys.Libc.rethrowChecked;
import static io.jublk.uring.sys.Libc.result;
import static io.jublk.uring.sys.Libc.threadCapture;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The three io_uring system calls, made through libc {@code syscall(2)} (glibc has no wrappers for them).
 *
 * <p>A failing call throws {@link ErrnoException} naming the call; {@link #enterRaw} returns
 * {@code -errno} instead, for the ring's allocation-free hot path. Thread-safe.
 */
public final class IoUringCalls {

    /** Syscall number of io_uring_setup (x86_64 and arm64). */
    static final long SYS_IO_URING_SETUP = 425;
    /** Syscall number of io_uring_enter (x86_64 and arm64). */
    static final long SYS_IO_URING_ENTER = 426;
    /** Syscall number of io_uring_register (x86_64 and arm64). */
    static final long SYS_IO_URING_REGISTER = 427;

    // syscall(2) is variadic after the number; every argument is passed as a full register (long/pointer).
    private static final MethodHandle SYSCALL_SETUP = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS), 1);
    private static final MethodHandle SYSCALL_ENTER = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS,
                    JAVA_LONG), 1);
    private static final MethodHandle SYSCALL_REGISTER = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG), 1);

    private IoUringCalls() {
    }

    /**
     * Calls {@code io_uring_setup(2)}.
     *
     * @param entries requested SQ entries
     * @param params a 120-byte {@code io_uring_params}; flags and sizes in, offsets and features out
     * @return the new ring fd
     * @throws ErrnoException if the kernel refuses, e.g. {@code EINVAL} for unknown flags
     */
    public static int setup(int entries, MemorySegment params) throws ErrnoException {
        checkBuffer(params, IoUringConstants.IO_URING_PARAMS_SIZE);
        try {
            return (int) check("io_uring_setup",
                    (long) SYSCALL_SETUP.invokeExact(threadCapture(), SYS_IO_URING_SETUP, (long) entries, params));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }

    /**
     * Calls {@code io_uring_enter(2)}.
     *
     * @param fd ring fd
     * @param toSubmit SQEs to submit
     * @param minComplete completions to wait for (with {@code IORING_ENTER_GETEVENTS})
     * @param flags {@code IORING_ENTER_*} flags
     * @param arg sigset or {@code io_uring_getevents_arg}, or {@link MemorySegment#NULL}
     * @param argSize size of {@code arg} in bytes
     * @return the number of SQEs consumed
     * @throws ErrnoException on failure, including {@code ETIME} and {@code EINTR}
     */
    public static int enter(int fd, int toSubmit, int minComplete, int flags, MemorySegment arg,
                            long argSize) throws ErrnoException {
        int ret = enterRaw(threadCapture(), fd, toSubmit, minComplete, flags, arg, argSize);
        if (ret < 0) {
            throw new ErrnoException("io_uring_enter", -ret);
        }
        return ret;
    }

    /**
     * io_uring_enter returning the result or a negated errno, never throwing for an errno.
     *
     * @param capture errno capture area from {@link Libc#allocateCapture()}
     * @param fd ring fd
     * @param toSubmit SQEs to submit
     * @param minComplete completions to wait for
     * @param flags IORING_ENTER_* flags
     * @param arg sigset or io_uring_getevents_arg, or {@link MemorySegment#NULL}
     * @param argSize size of {@code arg}
     * @return the non-negative result, or {@code -errno}
     */
    public static int enterRaw(MemorySegment capture, int fd, int toSubmit, int minComplete, int flags,
                               MemorySegment arg, long argSize) {
        try {
            long ret = (long) SYSCALL_ENTER.invokeExact(capture, SYS_IO_URING_ENTER, (long) fd,
                    (long) toSubmit, (long) minComplete, (long) flags, arg, argSize);
            return (int) result(ret, capture);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls {@code io_uring_register(2)}.
     *
     * @param fd ring fd
     * @param opcode an {@code IORING_REGISTER_*} opcode
     * @param arg the opcode's argument, or {@link MemorySegment#NULL}
     * @param nrArgs the opcode's count argument
     * @return the kernel's non-negative result
     * @throws ErrnoException on failure, e.g. {@code EBADF} for a fd that is not open
     */
    public static int register(int fd, int opcode, MemorySegment arg, int nrArgs) throws ErrnoException {
        try {
            return (int) check("io_uring_register", (long) SYSCALL_REGISTER.invokeExact(threadCapture(),
                    SYS_IO_URING_REGISTER, (long) fd, (long) opcode, arg, (long) nrArgs));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }
}
