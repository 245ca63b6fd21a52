// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.spi.BlockTarget;
import io.jublk.targets.FaultTarget;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --fault-*} options of {@code jublk add}: wrap any target in a {@link FaultTarget} that
 * fails or delays a share of the requests.
 *
 * @param errorRate the share of requests failed with EIO
 * @param delay how long a delayed request is held; zero for none
 * @param delayRate the share of requests delayed
 * @param seed the seed, or {@code null} for a random one
 */
record FaultOptions(double errorRate, Duration delay, double delayRate, Long seed) {
    /** No faults: the target is not wrapped. */
    static final FaultOptions NONE = new FaultOptions(0, Duration.ZERO, 0, null);

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|ms|s)");

    /** The {@code --fault-*} options as given, for picocli to fill in. */
    static final class Given {
        @Option(names = "--fault-error-rate", paramLabel = "R",
                description = "fail this share of requests with EIO, 0..1 (0.01: one in a hundred)")
        String errorRate;
        @Option(names = "--fault-delay", paramLabel = "DURATION",
                description = "hold requests this long before serving them: 500us, 10ms, 1s")
        String delay;
        @Option(names = "--fault-delay-rate", paramLabel = "R", description = "the share of requests held, 0..1 (default 1)")
        String delayRate;
        @Option(names = "--fault-seed", paramLabel = "N",
                description = "the same seed fails and delays the same requests on each queue (default: a random seed)")
        String seed;
    }

    /**
     * @param command the verb, for messages
     * @param given the options, or {@code null} when none is given
     * @return what they ask for, {@link #NONE} when none is given
     * @throws CliException naming the bad option
     */
    static FaultOptions parse(String command, Given given) throws CliException {
        Given g = given == null ? new Given() : given;
        double errorRate = rate(command, "fault-error-rate", g.errorRate, 0);
        Duration delay = Duration.ZERO;
        if (g.delay != null) {
            delay = duration(command, g.delay);
        }
        if (g.delayRate != null && delay.isZero()) {
            throw CliException.usage(command, "--fault-delay-rate needs --fault-delay: give how long to hold requests,"
                    + " e.g. --fault-delay 10ms");
        }
        double delayRate = rate(command, "fault-delay-rate", g.delayRate, delay.isZero() ? 0 : 1);
        Long seed = null;
        if (g.seed != null) {
            try {
                seed = Long.parseLong(g.seed.trim());
            } catch (NumberFormatException e) {
                throw CliException.usage(command, "option --fault-seed: '" + g.seed + "' is not a whole number");
            }
        }
        return new FaultOptions(errorRate, delay, delayRate, seed);
    }

    /** @return whether any fault is asked for */
    boolean any() {
        return errorRate > 0 || (delayRate > 0 && !delay.isZero());
    }

    /**
     * @param target the target to serve the device
     * @return it, wrapped in a fault target when any fault is asked for
     */
    BlockTarget wrap(BlockTarget target) {
        if (!any()) {
            return target;
        }
        FaultTarget.Builder b = FaultTarget.wrap(target).errorRate(errorRate).delay(delay).delayRate(delayRate);
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }

    /** @return the options that ask for exactly these faults */
    List<String> asOptions() {
        List<String> o = new ArrayList<>();
        if (errorRate > 0) {
            o.addAll(List.of("--fault-error-rate", Double.toString(errorRate)));
        }
        if (!delay.isZero()) {
            o.addAll(List.of("--fault-delay", format(delay), "--fault-delay-rate", Double.toString(delayRate)));
        }
        if (seed != null) {
            o.addAll(List.of("--fault-seed", Long.toString(seed)));
        }
        return o;
    }

    /** @return e.g. {@code , faults: errors 0.01, delays 0.5 x 10ms}, or nothing */
    String describe() {
        if (!any()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (errorRate > 0) {
            parts.add("errors " + errorRate);
        }
        if (delayRate > 0 && !delay.isZero()) {
            parts.add("delays " + delayRate + " x " + format(delay));
        }
        return ", faults: " + String.join(", ", parts);
    }

    private static double rate(String command, String name, String v, double dflt) throws CliException {
        if (v == null) {
            return dflt;
        }
        double r = parseOrNaN(v);
        if (!(r >= 0 && r <= 1)) {
            throw CliException.usage(command, "option --" + name + ": '" + v + "' is not a share of requests: give a"
                    + " number from 0 (never) to 1 (every request), e.g. 0.01 for one in a hundred");
        }
        return r;
    }

    private static double parseOrNaN(String v) {
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static Duration duration(String command, String v) throws CliException {
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        Duration d = null;
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                d = switch (m.group(2)) {
                    case "ns" -> Duration.ofNanos(n);
                    case "us" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                    case "ms" -> Duration.ofMillis(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (ArithmeticException | NumberFormatException e) {
                d = null;
            }
        }
        if (d == null) {
            throw CliException.usage(command, "option --fault-delay: '" + v + "' is not a duration: give a whole number"
                    + " with a unit, ns, us, ms or s, e.g. 500us or 10ms");
        }
        if (d.compareTo(Duration.ofHours(1)) > 0) {
            throw CliException.usage(command, "option --fault-delay: " + v + " is longer than an hour: a disk that slow"
                    + " looks hung to everything above it; give at most 3600s");
        }
        return d;
    }

    private static String format(Duration d) {
        long ns = d.toNanos();
        if (ns % 1_000_000_000L == 0) {
            return ns / 1_000_000_000L + "s";
        }
        if (ns % 1_000_000L == 0) {
            return ns / 1_000_000L + "ms";
        }
        return ns % 1000 == 0 ? ns / 1000 + "us" : ns + "ns";
    }
}
