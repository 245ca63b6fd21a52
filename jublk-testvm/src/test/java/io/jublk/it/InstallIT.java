// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball jublk-dist builds, as a user installs it: unpacked, {@code install.sh PREFIX}, then
 * {@code jublk} from PATH, a separate JVM found by the launcher, on the real driver.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class InstallIT {

    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ALWAYS)
    Path work;

    @Test
    void installedJublkAddsListsAndDeletesADevice() throws IOException, InterruptedException {
        Path tarball = Path.of(System.getProperty("jublk.dist.tarball", "../jublk-dist/target/jublk.tar.gz"));
        assumeTrue(Files.isRegularFile(tarball), "skipped: " + tarball + " was not built (jublk-dist builds it"
                + " when packaged: ./mvnw verify, or ./mvnw package -pl jublk-dist -am before this IT)");
        Commands.check(60, "tar", "-xzf", tarball.toString(), "-C", work.toString());
        Path unpacked;
        try (var dirs = Files.list(work)) {
            unpacked = dirs.filter(p -> p.getFileName().toString().startsWith("jublk-")).findFirst().orElseThrow();
        }
        Path prefix = work.resolve("prefix");
        String installed = Commands.check(60, "sh", unpacked.resolve("install.sh").toString(), prefix.toString());
        assertTrue(installed.contains("jublk installed under " + prefix), installed);
        assertTrue(Files.isExecutable(prefix.resolve("bin/jublk")));
        assertTrue(Files.isRegularFile(prefix.resolve("lib/jublk.jar")));
        assertTrue(Files.readString(prefix.resolve("lib/systemd/system/jublk@.service"))
                .contains("ExecStart=" + prefix.resolve("bin/jublk") + " add"), "the unit names the installed launcher");
        assertTrue(Files.readString(prefix.resolve("lib/systemd/system/jublk-owners.service"))
                .contains("ExecStart=" + prefix.resolve("bin/jublk") + " owners"), "the owners service names the installed launcher");
        assertTrue(Files.isRegularFile(prefix.resolve("lib/udev/rules.d/90-jublk.rules")));

        String version = jublk(prefix, "--version").strip();
        assertTrue(version.matches("jublk \\S+"), version);
        String features = jublk(prefix, "features");
        assertTrue(features.contains("UBLK_F_"), features);

        String add = jublk(prefix, "add", "-t", "null", "-s", "64M");
        Matcher m = Pattern.compile("dev (\\d+): (/dev/ublkb\\d+)").matcher(add);
        assertTrue(m.find(), add);
        String id = m.group(1);
        String device = m.group(2);
        boolean deleted = false;
        try {
            assertTrue(Files.exists(Path.of(device)), device + " missing after add");
            Pattern listed = Pattern.compile("\"id\": ?" + id + "\\b");
            String list = jublk(prefix, "list", "--json");
            assertTrue(listed.matcher(list).find(), list);
            jublk(prefix, "del", "-n", id);
            deleted = true;
            // del returns once the device is gone; another JVM start for 'list' would only cost time.
            assertFalse(Files.exists(Path.of(device)), device + " still there after del");
        } finally {
            if (!deleted) {
                Commands.run(120, launch(prefix, "del", "-n", id).toArray(String[]::new));
            }
        }
    }

    /** Runs the installed jublk as a shell would find it: on PATH, with the IT's JDK as JAVA_HOME. */
    private static String jublk(Path prefix, String... args) throws IOException, InterruptedException {
        return Commands.check(300, launch(prefix, args).toArray(String[]::new));
    }

    private static List<String> launch(Path prefix, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env",
                "PATH=" + prefix.resolve("bin") + ":/usr/sbin:/usr/bin:/sbin:/bin",
                "JAVA_HOME=" + System.getProperty("java.home"), "jublk"));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
