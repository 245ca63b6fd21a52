// SPDX-License-Identifier: Apache-2.0
package io.jublk.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jublk.uring.ErrnoException;
import org.junit.jupiter.api.Test;

/**
 * Checks that the benchmark body does what its score claims (every batch is submitted
 * and fully drained), without JMH and without timing anything.
 */
class NopBenchmarkTest {

    @Test
    void eachInvocationSubmitsAndDrainsAWholeBatch() throws ErrnoException {
        NopBenchmark bench = new NopBenchmark();
        bench.setUp();
        try {
            long perBatch32 = 31L * 32 / 2; // user data 0..31, NOP res 0
            for (int round = 1; round <= 10; round++) {
                assertEquals(round * perBatch32, bench.batch32());
            }
            long before = bench.batch32();
            assertEquals(before, bench.batch1()); // user data 0, res 0
        } finally {
            bench.tearDown();
        }
    }
}
