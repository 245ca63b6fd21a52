// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The completion script and the man page the build makes cover every verb and every option of add. */
class CliDocsTest {
    private static final Path TARGET = Path.of(System.getProperty("basedir", ".")).resolve("target");

    @Test
    void shouldHaveMadeACompletionScriptForEveryVerbAndAddOption() throws Exception {
        Path file = CliDocs.completionFile(TARGET);
        assertTrue(Files.isRegularFile(file), file + " is made by the build (process-test-classes)");
        String script = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(script.contains("complete -F _complete_jublk") && script.contains("jublk"), "a bash completion for jublk");
        for (String verb : Cli.verbNames()) {
            assertTrue(script.contains(verb), verb);
        }
        for (OptionSpec o : Cli.verb("add").getCommandSpec().options()) {
            if (!o.hidden()) {
                for (String name : o.names()) {
                    assertTrue(script.contains(name), name);
                }
            }
        }
    }

    @Test
    void shouldHaveMadeAManPageForEveryVerbAndAddOption() throws Exception {
        Path file = CliDocs.manPageFile(TARGET);
        assertTrue(Files.isRegularFile(file), file + " is made by the build (process-test-classes)");
        String page = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(page.startsWith(".TH JUBLK 1 "), page.lines().findFirst().orElse(""));
        for (String section : new String[] {".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH COMMANDS", ".SH EXIT STATUS"}) {
            assertTrue(page.contains("\n" + section + "\n"), section);
        }
        for (String verb : Cli.verbNames()) {
            assertTrue(page.contains("\n.SS jublk " + verb + "\n"), verb);
        }
        for (OptionSpec o : Cli.verb("add").getCommandSpec().options()) {
            if (!o.hidden()) {
                for (String name : o.names()) {
                    assertTrue(page.contains("\\fB" + CliDocs.escape(name) + "\\fR"), name);
                }
            }
        }
        assertTrue(page.lines().noneMatch(l -> l.startsWith(".") && !l.matches("\\.(TH|SH|SS|PP|TP|nf|fi|br|B)( .*)?")),
                "only the requests the page means to make");
    }
}
