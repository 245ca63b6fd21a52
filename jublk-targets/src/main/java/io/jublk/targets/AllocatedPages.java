// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One bit per 4 KiB page of a file: set when the page is known to hold data (allocated), clear
 * when it may be a hole. A {@link FileTarget} reads and writes a file on tmpfs through a shared
 * mapping only where every page is set, because touching a hole through a mapping allocates it:
 * memory for a read, and a SIGBUS instead of ENOSPC for a write into a full tmpfs.
 *
 * <p>Clear is always safe (the slower pread/pwrite path is taken). To keep "set" true, a writer
 * sets the bits before its write, and a hole puncher clears them before and after its punch; a
 * failed write clears them again. Thread-safe: queues share one map, and each bit is changed
 * atomically.
 */
final class AllocatedPages {
    static final int PAGE_SHIFT = 12;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;
    private final long bytes;

    /** @param bytes the length covered, in whole pages; every page starts clear */
    AllocatedPages(long bytes) {
        if (bytes < 0 || (bytes & ((1 << PAGE_SHIFT) - 1)) != 0) {
            throw new IllegalArgumentException("length " + bytes + " is not a whole number of pages");
        }
        long pages = bytes >>> PAGE_SHIFT;
        if ((pages + 63) >>> 6 > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("length " + bytes + " is too large to track");
        }
        this.words = new long[(int) ((pages + 63) >>> 6)];
        this.bytes = bytes;
    }

    /** @return whether {@code [offset, offset + length)} lies inside and every page it touches is set */
    boolean allSet(long offset, long length) {
        if (length <= 0 || offset < 0 || offset + length > bytes) {
            return false;
        }
        long first = offset >>> PAGE_SHIFT;
        long last = (offset + length - 1) >>> PAGE_SHIFT;
        for (long w = first >>> 6; w <= last >>> 6; w++) {
            long mask = mask(w, first, last);
            if (((long) WORDS.getAcquire(words, (int) w) & mask) != mask) {
                return false;
            }
        }
        return true;
    }

    /** Sets every page that {@code [offset, offset + length)} touches, as far as it lies inside. */
    void set(long offset, long length) {
        update(offset, length, true);
    }

    /** Clears every page that {@code [offset, offset + length)} touches, as far as it lies inside. */
    void clear(long offset, long length) {
        update(offset, length, false);
    }

    private void update(long offset, long length, boolean set) {
        long end = Math.min(offset + length, bytes);
        if (length <= 0 || offset < 0 || offset >= end) {
            return;
        }
        long first = offset >>> PAGE_SHIFT;
        long last = (end - 1) >>> PAGE_SHIFT;
        for (long w = first >>> 6; w <= last >>> 6; w++) {
            long mask = mask(w, first, last);
            if (!set) {
                WORDS.getAndBitwiseAnd(words, (int) w, ~mask);
            } else if (((long) WORDS.getAcquire(words, (int) w) & mask) != mask) {
                // Already set is the common case (overwrites): the locked instruction is skipped then.
                WORDS.getAndBitwiseOrRelease(words, (int) w, mask);
            }
        }
    }

    /** The bits of word {@code w} that pages {@code first..last} cover. */
    private static long mask(long w, long first, long last) {
        long lo = Math.max(first, w << 6) & 63;
        long hi = Math.min(last, (w << 6) + 63) & 63;
        return (-1L >>> (63 - hi)) & (-1L << lo);
    }
}
