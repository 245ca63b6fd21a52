// SPDX-License-Identifier: Apache-2.0
package io.jublk.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's Java code is the examples' code: every {@code ```java} block follows a
 * {@code <!-- snippet:NAME -->} line, and equals the region between {@code // snippet:NAME} and
 * {@code // end-snippet} in the example sources, common indentation aside.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("../README.md");
    private static final Path SOURCES = Path.of("src/main/java");
    private static final String README_MARK = "<!-- snippet:";
    private static final String SOURCE_MARK = "// snippet:";
    private static final String SOURCE_END = "// end-snippet";

    @Test
    void shouldShowInTheReadmeExactlyTheExamplesCode() throws IOException {
        Map<String, String> sources = sourceRegions();
        Map<String, String> readme = readmeBlocks();
        assertFalse(readme.isEmpty(), "the README shows no snippet");
        for (Map.Entry<String, String> block : readme.entrySet()) {
            String name = block.getKey();
            assertTrue(sources.containsKey(name), "README snippet '" + name + "' has no '" + SOURCE_MARK + name
                    + "' region in " + SOURCES.toAbsolutePath().normalize());
            assertEquals(sources.get(name), block.getValue(), "README snippet '" + name + "' differs from its source");
        }
    }

    @Test
    void shouldTrimCommonIndentationOnly() {
        assertEquals("a\n  b\n\nc", dedent(List.of("    a", "      b", "", "    c")));
    }

    /** Every marked region of the example sources, by name. */
    private static Map<String, String> sourceRegions() throws IOException {
        Map<String, String> regions = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (!line.startsWith(SOURCE_MARK)) {
                    continue;
                }
                String name = line.substring(SOURCE_MARK.length()).strip();
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals(SOURCE_END)) {
                    end++;
                }
                if (end == lines.size()) {
                    fail(file + ": snippet '" + name + "' has no '" + SOURCE_END + "'");
                }
                if (regions.put(name, dedent(lines.subList(i + 1, end))) != null) {
                    fail("snippet '" + name + "' is marked twice");
                }
                i = end;
            }
        }
        return regions;
    }

    /** Every Java block of the README by its marker's name; an unmarked one fails. */
    private static Map<String, String> readmeBlocks() throws IOException {
        Map<String, String> blocks = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(README);
        String pending = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith(README_MARK) && line.endsWith("-->")) {
                pending = line.substring(README_MARK.length(), line.length() - 3).strip();
            } else if (line.equals("```java")) {
                if (pending == null) {
                    fail("README.md line " + (i + 1) + ": a Java block without '" + README_MARK
                            + "NAME -->' before it; take it from an example");
                }
                List<String> code = new ArrayList<>();
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    code.add(lines.get(end));
                    end++;
                }
                if (blocks.put(pending, dedent(code)) != null) {
                    fail("README snippet '" + pending + "' is shown twice");
                }
                pending = null;
                i = end;
            } else if (!line.isEmpty()) {
                pending = null;
            }
        }
        return blocks;
    }

    /** The lines joined, with the indentation they all share removed and blank lines at either end dropped. */
    static String dedent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        while (!out.isEmpty() && out.getFirst().isEmpty()) {
            out.removeFirst();
        }
        return String.join("\n", out).stripTrailing();
    }
}
