// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.stats.DeviceStats;
import io.jublk.core.stats.LatencyHistogram;
import io.jublk.core.stats.OpCounts;
import io.jublk.core.stats.QueueStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code jublk stats}: what a running server has served, from the counters it publishes each
 * second in the run directory; once, or every interval with rates ({@code --watch}).
 */
@Command(name = "stats", header = "show what a device's server has served: requests, bytes, errors, service time",
        customSynopsis = "jublk stats -n ID [--json] [-w, --watch[=SECONDS] [-c, --count N]]",
        description = {
            "Shows the counters of the server of /dev/ublkbN, as it publishes them each second in"
                    + " /run/jublk/ublkbN.stats.json: requests and bytes by op, errors, requests in flight, requests per"
                    + " wake-up of its queues, and service time (from the request reaching the server to its answer) as"
                    + " mean and percentiles."})
final class StatsCommand implements Cli.Verb {
    @Option(names = {"-n", "--number"}, paramLabel = "ID", description = "the device")
    String number;
    @Option(names = "--json", description = "the counters as JSON, per queue and in total (with --watch, one object per"
            + " interval, of what happened in it)")
    boolean json;
    @Option(names = {"-w", "--watch"}, paramLabel = "SECONDS", arity = "0..1", fallbackValue = "1",
            description = "report every SECONDS (default 1) what happened since the last report: IOPS, MiB/s, in flight"
                    + " and service time, until ^C")
    String watch;
    @Option(names = {"-c", "--count"}, paramLabel = "N", description = "with --watch, stop after N reports")
    String count;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        int id = DeviceOptions.requiredId("stats", number);
        Path file = StatsFile.path(RunDirectory.path(), id);
        StatsFile.Published now = read(file, id);
        if (watch == null) {
            if (count != null) {
                throw CliException.usage("stats", "--count goes with --watch");
            }
            warnIfGone(now, err);
            out.print(json ? StatsFile.toJson(now.stats(), now.pid(), now.epochMillis()) : describe(now));
            return 0;
        }
        int seconds = parsePositive(watch, "--watch");
        int reports = OptionValues.intValue("stats", count, "-c/--count", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        if (!json) {
            out.println("dev " + id + ", every " + seconds + " s:");
            out.println(String.format(Locale.ROOT, "%10s %10s %10s %10s %9s %7s %10s %10s",
                    "read/s", "write/s", "rMiB/s", "wMiB/s", "in flight", "errors", "mean", "p99"));
        }
        for (int n = 0; n < reports; n++) {
            Thread.sleep(seconds * 1000L);
            StatsFile.Published next = read(file, id);
            warnIfGone(next, err);
            DeviceStats delta = next.stats().minus(now.stats());
            double secs = Math.max(1, next.epochMillis() - now.epochMillis()) / 1000.0;
            out.println(json ? StatsFile.toJson(delta, next.pid(), next.epochMillis()).strip() : rates(delta.total(), secs));
            out.flush();
            now = next;
        }
        return 0;
    }

    private static int parsePositive(String text, String option) throws CliException {
        try {
            int v = Integer.parseInt(text);
            if (v >= 1 && v <= 3600) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // said below
        }
        throw CliException.usage("stats", option + " '" + text + "' is not a number of seconds from 1 to 3600");
    }

    private static StatsFile.Published read(Path file, int id) throws CliException {
        try {
            return StatsFile.parse(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw CliException.failure("stats: dev " + id + " has no published counters (no " + file + "): its server"
                    + " publishes them while it serves; is the device served by 'jublk add' (see 'jublk list')?");
        } catch (IOException | IllegalArgumentException e) {
            throw CliException.failure("stats: cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void warnIfGone(StatsFile.Published p, PrintStream err) {
        if (!Host.isAlive((int) p.pid())) {
            err.println("jublk: stats: note: dev " + p.stats().deviceId() + "'s server, process " + p.pid()
                    + ", is gone; these counters are from " + (System.currentTimeMillis() - p.epochMillis()) / 1000 + " s ago");
        }
    }

    /**
     * @param p a published snapshot
     * @return it as a few lines for a person
     */
    static String describe(StatsFile.Published p) {
        DeviceStats s = p.stats();
        QueueStats t = s.total();
        StringBuilder sb = new StringBuilder();
        sb.append("dev ").append(s.deviceId()).append(": served by process ").append(p.pid()).append(", ")
                .append(s.queues().size()).append(s.queues().size() == 1 ? " queue" : " queues").append('\n');
        sb.append(String.format(Locale.ROOT, "  %-13s %12s %12s%n", "", "requests", "bytes"));
        row(sb, "read", t.read());
        row(sb, "write", t.write());
        row(sb, "flush", t.flush());
        row(sb, "discard", t.discard());
        row(sb, "write-zeroes", t.writeZeroes());
        sb.append("  errors ").append(t.errors()).append(", target failures ").append(t.targetFailures())
                .append(", in flight ").append(t.inFlight()).append('\n');
        sb.append(String.format(Locale.ROOT, "  %.1f requests per wake-up over %d wake-ups%n", t.requestsPerWakeUp(), t.wakeUps()));
        LatencyHistogram h = t.serviceTime();
        sb.append("  service time: mean ").append(LatencyHistogram.format(t.meanServiceNanos())).append(", p50 ")
                .append(LatencyHistogram.format(h.p50())).append(", p99 ").append(LatencyHistogram.format(h.p99()))
                .append(", p99.9 ").append(LatencyHistogram.format(h.p999())).append('\n');
        return sb.toString();
    }

    private static void row(StringBuilder sb, String op, OpCounts c) {
        String line = String.format(Locale.ROOT, "  %-13s %12d %12s", op, c.requests(), c.bytes() == 0 ? "" : Sizes.format(c.bytes()));
        sb.append(line.stripTrailing()).append('\n');
    }

    /**
     * @param d what happened in an interval, in total
     * @param secs the interval's length
     * @return one line of rates
     */
    static String rates(QueueStats d, double secs) {
        return String.format(Locale.ROOT, "%10.0f %10.0f %10.1f %10.1f %9d %7d %10s %10s",
                d.read().requests() / secs, d.write().requests() / secs, d.read().bytes() / secs / (1 << 20),
                d.write().bytes() / secs / (1 << 20), d.inFlight(), d.errors(),
                LatencyHistogram.format(d.meanServiceNanos()), LatencyHistogram.format(d.serviceTime().p99()));
    }
}
