// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

import java.util.ArrayList;
import java.util.List;

/** Test handler that records every CQE it sees. */
final class Cqes implements CompletionHandler {

    /** One recorded CQE. */
    record Cqe(long userData, int res, int flags) {
    }

    final List<Cqe> seen = new ArrayList<>();

    @Override
    public void onCompletion(long userData, int res, int flags) {
        seen.add(new Cqe(userData, res, flags));
    }

    int size() {
        return seen.size();
    }

    Cqe get(int i) {
        return seen.get(i);
    }

    Cqe byUserData(long userData) {
        return seen.stream().filter(c -> c.userData() == userData).findFirst()
                .orElseThrow(() -> new AssertionError("no CQE with user_data " + userData + " in " + seen));
    }

    /** Waits for and collects exactly {@code n} more CQEs. */
    static Cqes await(IoUring ring, int n) throws ErrnoException {
        Cqes cqes = new Cqes();
        while (cqes.size() < n) {
            ring.submitAndWait(n - cqes.size(), 5_000_000_000L);
            int got = ring.pollCompletions(cqes);
            if (got == 0 && ring.completionsReady() == 0 && cqes.size() < n) {
                throw new AssertionError("timed out waiting for " + n + " CQEs, got " + cqes.seen);
            }
        }
        return cqes;
    }
}
