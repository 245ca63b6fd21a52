// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import java.util.List;
import java.util.Locale;

/** Runs of fio against a block device and the figures read from its JSON report. Stateless. */
final class Fio {
    private Fio() {
    }

    /**
     * What one fio job measured.
     *
     * @param rw the workload, e.g. {@code randread}
     * @param iops operations per second
     * @param bandwidthBytes bytes per second
     * @param meanLatencyNs mean total latency in ns
     * @param p99LatencyNs 99th percentile completion latency in ns, NaN when fio gave none
     */
    record Result(String rw, double iops, double bandwidthBytes, double meanLatencyNs, double p99LatencyNs) {
        /** @return e.g. {@code randread: 12,345 IOPS, 48.2 MiB/s, latency mean 2.6 ms, p99 5.1 ms} */
        String summary() {
            return String.format(Locale.ROOT, "%-9s %,10.0f IOPS  %7.1f MiB/s  latency mean %s, p99 %s", rw + ":", iops,
                    bandwidthBytes / (1 << 20), latency(meanLatencyNs), latency(p99LatencyNs));
        }
    }

    /**
     * The fio command line for a 4 KiB random workload through io_uring with O_DIRECT.
     *
     * @param fio the fio program
     * @param device the block device
     * @param rw {@code randread} or {@code randwrite}
     * @param seconds how long to run
     * @param iodepth requests in flight
     * @return the command
     */
    static List<String> command(String fio, String device, String rw, int seconds, int iodepth) {
        return List.of(fio, "--name=" + rw, "--filename=" + device, "--ioengine=io_uring", "--direct=1", "--rw=" + rw,
                "--bs=4k", "--iodepth=" + iodepth, "--numjobs=1", "--time_based", "--runtime=" + seconds,
                "--randrepeat=0", "--output-format=json");
    }

    /**
     * Reads the figures of the first job from fio's JSON report.
     *
     * @param json fio's stdout with {@code --output-format=json}
     * @param rw the workload, naming the side to read ({@code randread} reads "read")
     * @return the figures
     * @throws IllegalArgumentException when the report has no such job
     */
    static Result parse(String json, String rw) {
        Object root = Json.parse(json);
        String side = rw.contains("write") ? "write" : "read";
        Object job = Json.at(root, "jobs", 0, side);
        if (job == null) {
            throw new IllegalArgumentException("fio's report has no jobs[0]." + side);
        }
        double p99 = Json.number(job, "clat_ns", "percentile", "99.000000");
        return new Result(rw, Json.number(job, "iops"), Json.number(job, "bw_bytes"), Json.number(job, "lat_ns", "mean"), p99);
    }

    /**
     * @param ns a latency in ns
     * @return it in us or ms, e.g. {@code 850 us}, {@code 2.6 ms}; "?" for NaN
     */
    static String latency(double ns) {
        if (Double.isNaN(ns)) {
            return "?";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, "%.0f us", ns / 1000);
        }
        return String.format(Locale.ROOT, "%.1f ms", ns / 1_000_000);
    }
}
