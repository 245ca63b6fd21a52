// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;

/**
 * Makes, from the command tree the CLI parses with, the bash completion script
 * ({@code completion/jublk}) and the man page ({@code man/jublk.1}, troff, one page for every
 * verb). The build runs it before the tests, so both always match the options.
 */
public final class CliDocs {
    private CliDocs() {
    }

    /**
     * Writes both files.
     *
     * @param args the build directory ({@code target})
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path target = Path.of(args.length > 0 ? args[0] : "target");
        write(completionFile(target), AutoComplete.bash("jublk", Cli.commandLine()));
        write(manPageFile(target), manPage(Cli.commandLine(), Main.version()));
    }

    /** @return where the completion script goes under the build directory */
    static Path completionFile(Path target) {
        return target.resolve("completion").resolve("jublk");
    }

    /** @return where the man page goes under the build directory */
    static Path manPageFile(Path target) {
        return target.resolve("man").resolve("jublk.1");
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /**
     * @param root the {@code jublk} command line
     * @param version the version the page describes
     * @return the man page in troff
     */
    static String manPage(CommandLine root, String version) {
        StringBuilder t = new StringBuilder();
        CommandSpec top = root.getCommandSpec();
        t.append(".TH JUBLK 1 \"\" \"jublk ").append(escape(version)).append("\" \"User Commands\"\n");
        t.append(".SH NAME\njublk \\- ").append(escape(withoutPeriod(top.usageMessage().header()[0]))).append('\n');
        t.append(".SH SYNOPSIS\n.B jublk\n[\\fB\\-v\\fR|\\fB\\-vv\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n");
        t.append(".SH DESCRIPTION\n").append(escape(top.usageMessage().header()[0])).append('\n')
                .append(".PP\nEvery command has \\fB\\-\\-help\\fR; \\fBjublk help\\fR \\fICOMMAND\\fR shows the same.\n");
        t.append(".SH OPTIONS\n");
        options(t, top);
        t.append(".SH COMMANDS\n");
        for (CommandLine verb : root.getSubcommands().values()) {
            if (verb.getCommand() instanceof CommandLine.HelpCommand) {
                continue;
            }
            CommandSpec spec = verb.getCommandSpec();
            t.append(".SS jublk ").append(spec.name()).append('\n');
            t.append(escape(Cli.summary(verb))).append('\n');
            t.append(".PP\n.nf\n");
            for (String line : spec.usageMessage().customSynopsis()) {
                // picocli indents the lines after the first under "usage: "; the page has no heading there.
                t.append(escape(line.startsWith("       ") ? line.substring(7) : line)).append('\n');
            }
            t.append(".fi\n");
            paragraphs(t, spec.usageMessage().description());
            t.append(".PP\nOptions:\n");
            options(t, spec);
            if (spec.usageMessage().footer().length > 0) {
                t.append(".PP\n.nf\n");
                for (String line : spec.usageMessage().footer()) {
                    t.append(escape(line)).append('\n');
                }
                t.append(".fi\n");
            }
        }
        t.append(".SH EXIT STATUS\n0 success, 1 failure, 2 wrong command line.\n");
        t.append(".SH SEE ALSO\n\\fBlosetup\\fR(8), \\fBnbd-client\\fR(8)\n");
        return t.toString();
    }

    private static void paragraphs(StringBuilder t, String[] lines) {
        t.append(".PP\n");
        for (String line : lines) {
            if (line.isBlank()) {
                t.append(".PP\n");
            } else if (line.startsWith("  ")) {
                // an indented list item: one line each
                t.append(".br\n\\ \\ ").append(escape(line.strip())).append('\n');
            } else {
                t.append(escape(line)).append('\n');
            }
        }
    }

    private static void options(StringBuilder t, CommandSpec spec) {
        // The verb's own options first, then those of a group with a heading of its own (faults).
        List<OptionSpec> ordered = new ArrayList<>();
        spec.options().stream().filter(o -> o.group() == null).forEach(ordered::add);
        spec.options().stream().filter(o -> o.group() != null).forEach(ordered::add);
        for (OptionSpec o : ordered) {
            if (o.hidden()) {
                continue;
            }
            t.append(".TP\n");
            List<String> names = List.of(o.names());
            for (int i = 0; i < names.size(); i++) {
                t.append(i == 0 ? "" : ", ").append("\\fB").append(escape(names.get(i))).append("\\fR");
            }
            if (o.arity().max() > 0) {
                String label = "\\fI" + escape(o.paramLabel()) + "\\fR";
                t.append(o.arity().min() == 0 ? "[=" + label + "]" : " " + label);
            }
            t.append('\n').append(escape(String.join(" ", o.description()))).append('\n');
        }
    }

    /** Escapes text for troff: backslashes, hyphens, and a dot or quote that would start a request. */
    static String escape(String text) {
        String s = text.replace("\\", "\\e").replace("-", "\\-");
        return s.startsWith(".") || s.startsWith("'") ? "\\&" + s : s;
    }

    private static String withoutPeriod(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
