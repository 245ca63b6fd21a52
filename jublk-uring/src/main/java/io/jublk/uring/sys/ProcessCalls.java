// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

import static io.jublk.uring.sys.Libc.check;
import static io.jublk.uring.sys.Libc.downcall;
import static io.jublk.uring.sys.Libc.infallibleDowncall;
import static io.jublk.uring.sys.Libc.rethrow;
import static io.jublk.uring.sys.Libc.rethrowChecked;
import static io.jublk.uring.sys.Libc.threadCapture;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Process and thread system calls: identities ({@code getpid}, {@code gettid}, {@code geteuid}) and CPU
 * affinity. Thread-safe.
 */
public final class ProcessCalls {

    private static final MethodHandle SCHED_GETAFFINITY = downcall("sched_getaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), -1);
    private static final MethodHandle SCHED_SETAFFINITY = downcall("sched_setaffinity",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), -1);
    private static final MethodHandle GETPID = infallibleDowncall("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = infallibleDowncall("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETEUID = infallibleDowncall("geteuid", FunctionDescriptor.of(JAVA_INT));

    private ProcessCalls() {
    }

    /**
     * Calls {@code getpid(2)}, which cannot fail.
     *
     * @return the process id
     */
    public static int getpid() {
        return id(GETPID);
    }

    /**
     * Calls {@code gettid(2)}, which cannot fail.
     *
     * @return the kernel thread id of the calling thread
     */
    public static int gettid() {
        return id(GETTID);
    }

    /**
     * Calls {@code geteuid(2)}, which cannot fail.
     *
     * @return the effective user id
     */
    public static int geteuid() {
        return id(GETEUID);
    }

    private static int id(MethodHandle call) {
        try {
            return (int) call.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Calls glibc {@code sched_getaffinity(3)}, filling a {@code cpu_set_t} bit mask.
     *
     * @param tid thread id (0 for the calling thread)
     * @param mask destination mask; its byte size is the {@code cpusetsize} passed (at least 8, a multiple
     *             of 8, large enough for the kernel's CPU count)
     * @return 0 (glibc zeroes the mask bytes beyond what the kernel filled)
     * @throws ErrnoException on failure, e.g. {@code EINVAL} if the mask is too small
     */
    public static int schedGetaffinity(int tid, MemorySegment mask) throws ErrnoException {
        return affinity("sched_getaffinity", SCHED_GETAFFINITY, tid, mask);
    }

    /**
     * Calls {@code sched_setaffinity(2)}.
     *
     * @param tid thread id (0 for the calling thread)
     * @param mask a {@code cpu_set_t} bit mask; its byte size is the {@code cpusetsize} passed
     * @throws ErrnoException on failure, e.g. {@code EINVAL} if the mask holds no usable CPU
     */
    public static void schedSetaffinity(int tid, MemorySegment mask) throws ErrnoException {
        affinity("sched_setaffinity", SCHED_SETAFFINITY, tid, mask);
    }

    private static int affinity(String call, MethodHandle handle, int tid, MemorySegment mask) throws ErrnoException {
        Objects.requireNonNull(mask, "mask");
        try {
            return check(call, (int) handle.invokeExact(threadCapture(), tid, mask.byteSize(), mask));
        } catch (Throwable t) {
            throw rethrowChecked(t);
        }
    }
}
