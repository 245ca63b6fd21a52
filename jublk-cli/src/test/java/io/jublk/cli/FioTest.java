// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FioTest {
    /** The parts of fio 3.33's --output-format=json report that the demo reads. */
    private static final String REPORT = """
            {
              "fio version" : "fio-3.33",
              "jobs" : [
                {
                  "jobname" : "randread",
                  "read" : {
                    "io_bytes" : 34091008, "bw_bytes" : 11363669, "iops" : 2774.333,
                    "clat_ns" : { "mean" : 11000000.5, "percentile" : { "50.000000" : 5000000, "99.000000" : 115867648 } },
                    "lat_ns" : { "min" : 20000, "max" : 900000000, "mean" : 11234567.25 }
                  },
                  "write" : { "iops" : 0.000000, "bw_bytes" : 0, "lat_ns" : { "mean" : 0.0 } }
                }
              ]
            }
            """;

    @Test
    void shouldReadTheFiguresOfTheReadSide() {
        Fio.Result r = Fio.parse(REPORT, "randread");
        assertEquals(2774.333, r.iops(), 1e-9);
        assertEquals(11363669.0, r.bandwidthBytes());
        assertEquals(11234567.25, r.meanLatencyNs());
        assertEquals(115867648.0, r.p99LatencyNs());
        assertEquals("randread:      2,774 IOPS     10.8 MiB/s  latency mean 11.2 ms, p99 115.9 ms", r.summary());
    }

    @Test
    void shouldReadTheWriteSideForWrites() {
        Fio.Result r = Fio.parse(REPORT, "randwrite");
        assertEquals(0.0, r.iops());
        assertTrue(Double.isNaN(r.p99LatencyNs()));
        assertTrue(r.summary().endsWith("p99 ?"), r.summary());
    }

    @Test
    void shouldFailOnAReportWithoutJobs() {
        assertThrows(IllegalArgumentException.class, () -> Fio.parse("{\"jobs\": []}", "randread"));
    }

    @Test
    void shouldRunFourKibRandomIoThroughIoUring() {
        List<String> cmd = Fio.command("fio", "/dev/ublkb3", "randwrite", 3, 32);
        assertTrue(cmd.containsAll(List.of("--filename=/dev/ublkb3", "--ioengine=io_uring", "--direct=1", "--rw=randwrite",
                "--bs=4k", "--iodepth=32", "--runtime=3", "--time_based", "--output-format=json")), cmd.toString());
    }

    @Test
    void shouldFormatLatenciesInMicrosOrMillis() {
        assertEquals("850 us", Fio.latency(850_000));
        assertEquals("2.6 ms", Fio.latency(2_600_000));
        assertEquals("?", Fio.latency(Double.NaN));
    }
}
