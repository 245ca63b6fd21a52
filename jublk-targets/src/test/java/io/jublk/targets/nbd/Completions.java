// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that turns completions into futures by handle, for tests. */
final class Completions implements NbdConnection.Listener {
    private final ConcurrentHashMap<Long, CompletableFuture<Integer>> byHandle = new ConcurrentHashMap<>();
    final CompletableFuture<IOException> failure = new CompletableFuture<>();
    final AtomicInteger duplicates = new AtomicInteger();

    CompletableFuture<Integer> of(long handle) {
        return byHandle.computeIfAbsent(handle, h -> new CompletableFuture<>());
    }

    /** Waits for the request's completion and returns its error (0 on success). */
    int await(long handle) throws Exception {
        return of(handle).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void completed(long handle, int error, MemorySegment data) {
        if (!of(handle).complete(error)) {
            duplicates.incrementAndGet();
        }
    }

    @Override
    public void failed(IOException cause) {
        failure.complete(cause);
    }
}
