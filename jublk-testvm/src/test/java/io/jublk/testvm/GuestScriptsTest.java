// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestScriptsTest {
    private static final List<String> AWKWARD = List.of(
            "plain", "", "two words", "it's", "'", "\"double\"", "$HOME", "`id`", "a\\b", "new\nline",
            "*", "-x", "--", "ümlaut", "semi;colon");

    @Test
    void shouldKeepAWorkingTreeUnderTmpVisibleInTheGuest() {
        assertEquals(List.of("/tmp/fresh"), GuestScripts.pathsToKeep(List.of(
                java.nio.file.Path.of("/tmp/fresh/jublk-testvm"), java.nio.file.Path.of("/tmp/fresh"),
                java.nio.file.Path.of("/work/main"), java.nio.file.Path.of("/tmp"))));
    }

    @Test
    void quotedWordsSurviveBash() throws Exception {
        StringBuilder script = new StringBuilder("printf '%s\\0'");
        for (String w : AWKWARD) {
            script.append(' ').append(GuestScripts.quote(w));
        }
        String out = run(List.of("bash", "-c", script.toString()));
        List<String> got = new ArrayList<>(List.of(out.split("\0", -1)));
        got.removeLast(); // after the last NUL
        assertEquals(AWKWARD, got);
    }

    @Test
    void jobScriptRunsTheCommandWithItsEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        env.put("ODD", "it's $x");
        String job = GuestScripts.job(new GuestScripts.Job("/work/dir with space", env,
                List.of("java", "-version"), List.of("null_blk"), false));
        assertTrue(job.startsWith("#!/bin/bash\n"));
        assertTrue(job.contains("cd '/work/dir with space'"), job);
        assertTrue(job.contains("'ODD=it'\\''s $x'"), job);
        assertTrue(job.contains("'java' '-version'"), job);
        assertTrue(job.contains("modprobe 'null_blk'"), job);
        assertTrue(job.contains("/dev/virtio-ports/" + GuestScripts.STDIO_PORT), job);
        assertTrue(job.contains("$share/status"), job);
    }

    @Test
    void jobScriptIsValidBash(@TempDir Path tmp) throws Exception {
        String job = GuestScripts.job(new GuestScripts.Job("/", Map.of("A", "b"),
                AWKWARD, List.of(), true));
        Path file = tmp.resolve("job.sh");
        Files.writeString(file, job);
        run(List.of("bash", "-n", file.toString()));
    }

    @Test
    void initScriptIsValidBusyboxSh(@TempDir Path tmp) throws Exception {
        Path busybox = Host.staticBusybox().orElse(null);
        assumeTrue(busybox != null, "no busybox-static on this host");
        String init = GuestScripts.init(List.of("00-netfs.ko", "01-9p.ko"));
        assertTrue(init.startsWith("#!/bin/busybox sh\n"));
        assertTrue(init.indexOf("insmod /modules/00-netfs.ko") < init.indexOf("insmod /modules/01-9p.ko"));
        assertTrue(init.contains("switch_root $r /bin/bash " + GuestScripts.SHARE + "/job.sh"), init);
        Path file = tmp.resolve("init");
        Files.writeString(file, init);
        run(List.of(busybox.toString(), "sh", "-n", file.toString()));
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
        return out;
    }
}
