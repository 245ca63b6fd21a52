// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the jublk command in this JVM, as a user types it: what it printed and returned.
 *
 * @param status the exit status
 * @param out standard output
 * @param err standard error
 */
record CliRun(int status, String out, String err) {
    /**
     * @param args the command line after {@code jublk}
     * @return what the command printed and returned
     */
    static CliRun jublk(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * This JVM's class path for a jublk run as another user: its jars (picocli among them) live in
     * root's Maven repository, which no one else may read, so they are copied where anyone may.
     *
     * @return the class path
     */
    static String classPathForAnyUser() {
        synchronized (CliRun.class) {
            if (AnyUser.classPath == null) {
                AnyUser.classPath = copyJars();
            }
            return AnyUser.classPath;
        }
    }

    private static String copyJars() {
        try {
            Path dir = Files.createTempDirectory("jublk-classpath-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<String> entries = new ArrayList<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path jar = Path.of(entry);
                if (entry.endsWith(".jar") && Files.isRegularFile(jar)) {
                    Path copy = dir.resolve(entries.size() + "-" + jar.getFileName());
                    Files.copy(jar, copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                    entries.add(copy.toString());
                } else {
                    entries.add(entry);
                }
            }
            return String.join(File.pathSeparator, entries);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The copied class path, made once. */
    private static final class AnyUser {
        static String classPath;
    }
}
