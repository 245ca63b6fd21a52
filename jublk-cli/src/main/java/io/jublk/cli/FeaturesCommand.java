// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.uapi.UblkFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/** {@code jublk features}: what this kernel's ublk driver supports (GET_FEATURES). */
@Command(name = "features", header = "show what this kernel's ublk driver supports",
        customSynopsis = "jublk features [--json]",
        description = {
            "Asks the ublk driver which UBLK_F_* flags it supports (GET_FEATURES, Linux 6.5+) and prints each by name,"
                    + " with the kernel release that introduced it and a description, then the raw mask. Flags newer"
                    + " than jublk show as unknown bits."})
final class FeaturesCommand implements Cli.Verb {
    @Option(names = "--json", description = "print {\"kernel\", \"features\", \"flags\", \"unknown_bits\"} for scripts")
    boolean json;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        Host.requireDriver();
        long features;
        try (UblkControl ctl = UblkControl.open()) {
            features = ctl.features();
        }
        out.print(json ? json(Host.kernelRelease(), features) : text(Host.kernelRelease(), features));
        return 0;
    }

    /**
     * @param kernel the kernel release
     * @param features the GET_FEATURES mask, 0 when the kernel has no GET_FEATURES
     * @return the human report
     */
    static String text(String kernel, long features) {
        StringBuilder sb = new StringBuilder();
        if (features == 0) {
            return sb.append("kernel ").append(kernel).append(": the ublk driver does not answer GET_FEATURES (added in 6.5),\n")
                    .append("so its features are unknown; devices still work with the basics (Linux 6.4+)\n").toString();
        }
        EnumSet<UblkFeature> set = UblkFeature.of(features);
        sb.append("kernel ").append(kernel).append(", ublk driver features 0x").append(Long.toHexString(features))
                .append(" (").append(set.size()).append(" known flags):\n");
        int width = 0;
        for (UblkFeature f : set) {
            width = Math.max(width, f.kernelName().length());
        }
        for (UblkFeature f : set) {
            sb.append(String.format("  %-" + width + "s  %-5s %s%n", f.kernelName(), f.since(), f.description()));
        }
        long unknown = features & ~UblkFeature.KNOWN_MASK;
        if (unknown != 0) {
            sb.append("  unknown bits 0x").append(Long.toHexString(unknown)).append(" (flags newer than this jublk)\n");
        }
        List<String> missing = new ArrayList<>();
        for (UblkFeature f : EnumSet.complementOf(set)) {
            missing.add(f.name() + " (" + f.since() + ")");
        }
        if (!missing.isEmpty()) {
            sb.append("not supported: ").append(String.join(", ", missing)).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param kernel the kernel release
     * @param features the GET_FEATURES mask
     * @return the JSON report, ending with a newline
     */
    static String json(String kernel, long features) {
        StringBuilder sb = new StringBuilder("{\"kernel\": ").append(Json.quote(kernel))
                .append(", \"features\": ").append(Json.quote("0x" + Long.toHexString(features)))
                .append(", \"flags\": [");
        boolean first = true;
        for (UblkFeature f : UblkFeature.of(features)) {
            sb.append(first ? "" : ", ").append("{\"name\": ").append(Json.quote(f.kernelName()))
                    .append(", \"bit\": ").append(f.bit())
                    .append(", \"since\": ").append(Json.quote(f.since()))
                    .append(", \"description\": ").append(Json.quote(f.description())).append('}');
            first = false;
        }
        return sb.append("], \"unknown_bits\": ").append(Json.quote("0x" + Long.toHexString(features & ~UblkFeature.KNOWN_MASK)))
                .append("}\n").toString();
    }
}
