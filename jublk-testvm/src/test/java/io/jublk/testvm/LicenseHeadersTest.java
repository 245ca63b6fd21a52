// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every source file of the project says, in its first lines, under which license it is. */
class LicenseHeadersTest {
    private static final String SPDX = "SPDX-License-Identifier: Apache-2.0";

    @Test
    void everySourceFileCarriesTheSpdxLine() throws IOException {
        Path root = Host.repoRoot();
        List<Path> sources;
        try (Stream<Path> all = Files.walk(root)) {
            sources = all.filter(Files::isRegularFile).filter(p -> isSource(root.relativize(p))).toList();
        }
        assertTrue(sources.size() > 200, "the walk found the sources: " + sources.size());
        List<Path> missing = sources.stream().filter(p -> !hasSpdxLine(p)).map(root::relativize).toList();
        assertEquals(List.of(), missing, "files without '" + SPDX + "' in their first three lines");
    }

    private static boolean isSource(Path rel) {
        String s = rel.toString().replace('\\', '/');
        if (s.startsWith(".git/") || s.contains("/target/") || s.startsWith("target/") || s.startsWith("mvnw")) {
            return false;
        }
        String name = rel.getFileName().toString();
        return name.endsWith(".java") || name.endsWith(".c") || name.endsWith(".sh") || name.equals("pom.xml")
                || s.startsWith("scripts/") || s.matches("[^/]+/bin/[^/]+") || s.equals("jublk") || s.equals(".ci/run");
    }

    private static boolean hasSpdxLine(Path p) {
        try (Stream<String> lines = Files.lines(p, StandardCharsets.ISO_8859_1)) {
            return lines.limit(3).anyMatch(l -> l.contains(SPDX));
        } catch (IOException e) {
            return false;
        }
    }
}
