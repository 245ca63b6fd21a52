// SPDX-License-Identifier: Apache-2.0
package io.jublk.bench;

import io.jublk.uring.CompletionHandler;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.SubmissionEntry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of the io_uring round trip itself through jublk-uring: NOP SQEs in, one
 * {@code io_uring_enter}, CQEs out. The C twin is {@code src/main/c/nop_bench.c}
 * (same ring size and flags, same loop); {@code bin/bench-nop} runs both.
 *
 * <p>Scores are NOPs per second: each invocation does one batch and counts as
 * {@code batch} operations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
// JMH 1.37 itself still calls sun.misc.Unsafe; allow it quietly, as .mvn/jvm.config does for Maven.
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class NopBenchmark {

    /** Ring size; nop_bench.c uses the same. */
    static final int ENTRIES = 128;
    static final int BATCH = 32;

    private IoUring ring;
    private final Drain drain = new Drain();

    /** Sums what it sees so the drain cannot be skipped, like nop_bench.c's accumulator. */
    static final class Drain implements CompletionHandler {
        long acc;

        @Override
        public void onCompletion(long userData, int res, int flags) {
            acc += userData + res;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws ErrnoException {
        // IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN, as in nop_bench.c.
        ring = IoUring.builder(ENTRIES).singleIssuer().coopTaskrun().build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.close();
    }

    /** The headline figure: 32 NOPs per {@code io_uring_enter}. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batch32() throws ErrnoException {
        return submitAndDrain(BATCH);
    }

    /** Reference: one NOP per {@code io_uring_enter}, i.e. the syscall round trip. */
    @Benchmark
    @OperationsPerInvocation(1)
    public long batch1() throws ErrnoException {
        return submitAndDrain(1);
    }

    /** Queues {@code batch} NOPs, submits and waits for all, drains them; checks the counts. */
    long submitAndDrain(int batch) throws ErrnoException {
        IoUring ring = this.ring;
        for (int i = 0; i < batch; i++) {
            SubmissionEntry sqe = ring.nextSqe();
            sqe.nop().userData(i);
        }
        int submitted = ring.submitAndWait(batch);
        int drained = ring.pollCompletions(drain);
        if (submitted != batch || drained != batch) {
            throw new IllegalStateException(
                    "batch " + batch + ": submitted " + submitted + ", drained " + drained);
        }
        return drain.acc;
    }
}
