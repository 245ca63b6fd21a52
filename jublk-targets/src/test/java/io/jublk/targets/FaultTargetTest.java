// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jublk.core.spi.BlockTarget;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.TargetCapabilities;
import io.jublk.core.spi.TargetGeometry;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.uapi.UblkIoOp;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The fault target's decisions and settings; requests on the real driver are FaultTargetIT's. */
class FaultTargetTest {
    private static final int READ = UblkIoOp.UBLK_IO_OP_READ;
    private static final int WRITE = UblkIoOp.UBLK_IO_OP_WRITE;
    private static final int N = 200_000;

    /** A target to wrap that records what reaches it. */
    private static final class Inner implements BlockTarget, QueueHandler, AutoCloseable {
        int closes;

        @Override
        public TargetGeometry geometry() {
            return TargetGeometry.ofSize(1 << 20).withLogicalBlockSize(4096);
        }

        @Override
        public int read(UblkIo io) {
            return io.length();
        }

        @Override
        public int write(UblkIo io) {
            return io.length();
        }

        @Override
        public TargetCapabilities capabilities() {
            return TargetCapabilities.DEFAULT.withDiscard(true).withZeroCopy(true);
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private static int[] fates(FaultTarget t, int queue, int op, int n) {
        FaultDice dice = new FaultDice(t.seed(), queue);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = t.roll(dice, op);
        }
        return out;
    }

    private static double share(int[] fates, int bit) {
        return Arrays.stream(fates).filter(f -> (f & bit) != 0).count() / (double) fates.length;
    }

    @Test
    void shouldFailDelayAndThrowAboutTheGivenShares() {
        FaultTarget t = FaultTarget.wrap(new Inner()).errorRate(0.01).throwRate(0.05).delay(Duration.ofMillis(1))
                .delayRate(0.2).seed(1).build();
        int[] f = fates(t, 0, READ, N);
        assertEquals(0.01, share(f, FaultTarget.ERROR), 0.002);
        // A throw is drawn only where no error is.
        assertEquals(0.05 * 0.99, share(f, FaultTarget.THROW), 0.004);
        assertEquals(0.2, share(f, FaultTarget.DELAY), 0.01);
        assertEquals(0, Arrays.stream(f).filter(x -> (x & FaultTarget.ERROR) != 0 && (x & FaultTarget.THROW) != 0).count(),
                "an error and a throw never together");
    }

    @Test
    void shouldMeetTheSameFatesWithTheSameSeed() {
        FaultTarget a = FaultTarget.wrap(new Inner()).errorRate(0.3).delay(Duration.ofMillis(1)).delayRate(0.3).seed(42).build();
        FaultTarget b = FaultTarget.wrap(new Inner()).errorRate(0.3).delay(Duration.ofMillis(1)).delayRate(0.3).seed(42).build();
        FaultTarget c = FaultTarget.wrap(new Inner()).errorRate(0.3).delay(Duration.ofMillis(1)).delayRate(0.3).seed(43).build();
        assertEquals(42, a.seed());
        assertArrayEquals(fates(a, 0, READ, 1000), fates(b, 0, READ, 1000));
        assertArrayEquals(fates(a, 3, READ, 1000), fates(b, 3, READ, 1000));
        assertFalse(Arrays.equals(fates(a, 0, READ, 1000), fates(c, 0, READ, 1000)), "another seed, other fates");
        assertFalse(Arrays.equals(fates(a, 0, READ, 1000), fates(a, 1, READ, 1000)), "each queue its own stream");
    }

    @Test
    void shouldKeepEachKindOfFaultIndependentOfTheOthersRates() {
        FaultTarget few = FaultTarget.wrap(new Inner()).errorRate(0.01).delay(Duration.ofMillis(1)).delayRate(0.5).seed(7).build();
        FaultTarget many = FaultTarget.wrap(new Inner()).errorRate(0.9).throwRate(0.5).delay(Duration.ofMillis(1)).delayRate(0.5)
                .seed(7).build();
        int[] a = fates(few, 0, READ, 10_000);
        int[] b = fates(many, 0, READ, 10_000);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] & FaultTarget.DELAY, b[i] & FaultTarget.DELAY, "delay of request " + i);
            if ((a[i] & FaultTarget.ERROR) != 0) {
                assertTrue((b[i] & FaultTarget.ERROR) != 0, "a request that fails at 1% fails at 90% too: " + i);
            }
        }
    }

    @Test
    void shouldNeverFaultAtZeroAndAlwaysAtOne() {
        Inner inner = new Inner();
        assertTrue(Arrays.stream(fates(FaultTarget.wrap(inner).seed(5).build(), 0, WRITE, 10_000)).allMatch(f -> f == 0),
                "a bare wrapper passes everything through");
        FaultTarget always = FaultTarget.wrap(inner).errorRate(1).throwRate(1).delay(Duration.ofNanos(1)).seed(5).build();
        assertEquals(1.0, always.delayRate(), "a delay alone delays every request");
        assertTrue(Arrays.stream(fates(always, 0, WRITE, 10_000)).allMatch(f -> f == (FaultTarget.ERROR | FaultTarget.DELAY)));
        FaultTarget throwing = FaultTarget.wrap(inner).throwRate(1).seed(5).build();
        assertTrue(Arrays.stream(fates(throwing, 0, WRITE, 10_000)).allMatch(f -> f == FaultTarget.THROW));
    }

    @Test
    void shouldFailOnlyTheChosenOps() {
        assertEquals(5, FaultTarget.wrap(new Inner()).build().errno(), "EIO by default");
        FaultTarget t = FaultTarget.wrap(new Inner()).errorRate(1).errorOps(WRITE, UblkIoOp.UBLK_IO_OP_FLUSH).errno(28).seed(9).build();
        assertEquals(28, t.errno());
        assertTrue(Arrays.stream(fates(t, 0, READ, 1000)).allMatch(f -> f == 0), "reads pass");
        assertTrue(Arrays.stream(fates(t, 0, WRITE, 1000)).allMatch(f -> f == FaultTarget.ERROR), "writes fail");
        assertTrue(Arrays.stream(fates(t, 0, UblkIoOp.UBLK_IO_OP_FLUSH, 1000)).allMatch(f -> f == FaultTarget.ERROR));
        assertTrue(Arrays.stream(fates(t, 0, UblkIoOp.UBLK_IO_OP_REPORT_ZONES, 1000)).allMatch(f -> f == 0));
    }

    @Test
    void shouldTakeNewRatesWhileRunning() {
        FaultTarget t = FaultTarget.wrap(new Inner()).errorRate(1).seed(3).build();
        FaultDice dice = new FaultDice(t.seed(), 0);
        assertEquals(FaultTarget.ERROR, t.roll(dice, READ));
        t.errorRate(0);
        t.throwRate(1);
        assertEquals(FaultTarget.THROW, t.roll(dice, READ));
        t.throwRate(0);
        t.delayRate(1);
        assertEquals(0, t.roll(dice, READ), "no delay while the delay is zero");
        t.delay(Duration.ofMillis(3));
        assertEquals(Duration.ofMillis(3), t.delay());
        assertEquals(FaultTarget.DELAY, t.roll(dice, READ));
        t.delay(Duration.ZERO);
        assertEquals(0, t.roll(dice, READ));
    }

    @Test
    void shouldForwardGeometryCapabilitiesZeroCopyAndClose() {
        Inner inner = new Inner();
        FaultTarget t = FaultTarget.wrap(inner).build();
        assertSame(inner, t.inner());
        assertEquals(inner.geometry(), t.geometry());
        assertEquals(inner.capabilities(), t.capabilities());
        assertTrue(t.capabilities().zeroCopy());
        t.close();
        t.close();
        assertEquals(1, inner.closes, "closed once");
        assertFalse(FaultTarget.wrap(new NullTarget()).build().capabilities().zeroCopy());
    }

    @Test
    void shouldRefuseBadSettingsWithTheValueAndWhatToGive() {
        FaultTarget.Builder b = FaultTarget.wrap(new Inner());
        for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
            refuses(bad + " is not a share of requests: give a number from 0 (never) to 1", x -> b.errorRate(bad));
            refuses("throw rate " + bad, x -> b.throwRate(bad));
            refuses("delay rate " + bad, x -> b.delayRate(bad));
            refuses("error rate " + bad, x -> FaultTarget.wrap(new Inner()).build().errorRate(bad));
        }
        refuses("delay PT-0.001S is negative: give zero (no delay) or more", x -> b.delay(Duration.ofMillis(-1)));
        refuses("no delay given", x -> b.delay(null));
        refuses("longer than an hour", x -> b.delay(Duration.ofMinutes(61)));
        refuses("delay PT-1S is negative", x -> FaultTarget.wrap(new Inner()).build().delay(Duration.ofSeconds(-1)));
        refuses("errno 0 is not an error number: give a positive errno", x -> b.errno(0));
        refuses("errno -5 is not an error number", x -> b.errno(-5));
        refuses("op 64 is not a ublk op", x -> b.errorOps(READ, 64));
        refuses("no ops given for errors", x -> b.errorOps());
        refuses("delay rate 0.5 without a delay: give delay(Duration) too",
                x -> FaultTarget.wrap(new Inner()).delayRate(0.5).build());
        refuses("no target to wrap", x -> FaultTarget.wrap(null));
        // Edges are fine.
        FaultTarget.wrap(new Inner()).errorRate(0).errorRate(1).throwRate(1).delay(Duration.ofHours(1)).delayRate(0).build();
    }

    private static void refuses(String expected, Consumer<Void> setting) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> setting.accept(null));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
