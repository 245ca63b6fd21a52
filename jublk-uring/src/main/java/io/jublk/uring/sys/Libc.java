// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring.sys;

import io.jublk.uring.ErrnoException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * What every syscall wrapper in this package shares: libc lookup, downcall creation with {@code errno}
 * capture, and the checks that turn a failed call into an {@link ErrnoException}.
 *
 * <p>Each wrapper captures {@code errno} right after the call (via
 * {@link Linker.Option#captureCallState(String...)}) into a segment owned by the calling thread, so a call
 * allocates nothing once that thread has made its first call. No downcall is marked {@code critical}: most
 * of these calls can block. Thread-safe.
 */
public final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(PathElement.groupElement("errno"));

    // One errno capture area per thread, so no call allocates after the thread's first one.
    private static final ThreadLocal<MemorySegment> CAPTURE = ThreadLocal.withInitial(Libc::allocateCapture);

    private Libc() {
    }

    /**
     * A downcall to the libc function {@code name} that captures {@code errno}; the capture segment is
     * its first argument.
     *
     * @param name libc symbol
     * @param descriptor the C signature
     * @param firstVariadic index of the first variadic argument, or -1 for a fixed signature
     * @return the downcall handle
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, int firstVariadic) {
        MemorySegment symbol = LIBC.findOrThrow(name);
        return firstVariadic < 0
                ? LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /**
     * A downcall to a libc function that cannot fail, so it captures nothing.
     *
     * @param name libc symbol
     * @param descriptor the C signature
     * @return the downcall handle
     */
    static MethodHandle infallibleDowncall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LIBC.findOrThrow(name), descriptor);
    }

    /**
     * Allocates an errno capture area, for callers that keep their own instead of the thread's; segments
     * from an automatic arena live as long as they are reachable.
     *
     * @return a new capture segment
     */
    public static MemorySegment allocateCapture() {
        return Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    /**
     * The calling thread's errno capture area.
     *
     * @return a capture segment owned by the calling thread
     */
    public static MemorySegment threadCapture() {
        return CAPTURE.get();
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /**
     * A raw result: the call's non-negative return value, or {@code -errno} when it failed.
     *
     * @param ret what the call returned
     * @param capture where its errno was captured
     * @return {@code ret}, or {@code -errno} if {@code ret < 0}
     */
    static long result(long ret, MemorySegment capture) {
        return ret < 0 ? -errno(capture) : ret;
    }

    /**
     * Checks the result of a call made with the thread's capture area ({@link #threadCapture()}).
     *
     * @param call the syscall's name, for the exception
     * @param ret what the call returned
     * @return {@code ret}, when it is not negative
     * @throws ErrnoException with the thread's captured errno when {@code ret} is negative
     */
    static int check(String call, int ret) throws ErrnoException {
        if (ret < 0) {
            throw new ErrnoException(call, errno(threadCapture()));
        }
        return ret;
    }

    /**
     * Checks the result of a call made with the thread's capture area, for calls returning a count.
     *
     * @param call the syscall's name, for the exception
     * @param ret what the call returned
     * @return {@code ret}, when it is not negative
     * @throws ErrnoException with the thread's captured errno when {@code ret} is negative
     */
    static long check(String call, long ret) throws ErrnoException {
        if (ret < 0) {
            throw new ErrnoException(call, errno(threadCapture()));
        }
        return ret;
    }

    /**
     * Like {@link #rethrow(Throwable)}, but lets the {@link ErrnoException} of a check made inside the same
     * {@code try} through unchanged.
     *
     * @param t what the call or its check threw
     * @return the unchecked exception to throw
     * @throws ErrnoException if {@code t} is one
     */
    static RuntimeException rethrowChecked(Throwable t) throws ErrnoException {
        if (t instanceof ErrnoException e) {
            throw e;
        }
        return rethrow(t);
    }

    /**
     * The unchecked exception to throw for a throwable escaping a downcall; errors are thrown as they are.
     *
     * @param t what the downcall threw
     * @return {@code t} itself if unchecked, otherwise an {@link IllegalStateException} wrapping it
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    /**
     * Checks that the kernel can never write past {@code buf}.
     *
     * @param buf a native segment
     * @param count the byte count passed with it
     * @throws IndexOutOfBoundsException if {@code count} is negative or larger than the segment
     */
    static void checkBuffer(MemorySegment buf, long count) {
        Objects.requireNonNull(buf, "buf");
        if (count < 0 || count > buf.byteSize()) {
            throw new IndexOutOfBoundsException("count " + count + " outside buffer of " + buf.byteSize() + " bytes");
        }
    }
}
