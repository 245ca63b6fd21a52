// SPDX-License-Identifier: Apache-2.0
package io.jublk.testvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmMainTest {
    private static final Map<String, String> ENV = Map.of(
            "PATH", "/usr/bin:/bin", "HOME", "/home/u", "JAVA_HOME", "/jdk25",
            "JUBLK_A", "1", "JUBLK_B", "2", "OTHER", "x");

    @TempDir
    Path cwd;

    private VmConfig parse(String... args) {
        return VmMain.parse(List.of(args), ENV, cwd, "/harness-jdk");
    }

    @Test
    void defaults() {
        VmConfig c = parse("run", "--", "uname", "-r");
        assertEquals("sid", c.suite());
        assertEquals("4G", c.memory());
        assertEquals(2, c.cpus());
        assertEquals(Duration.ofSeconds(600), c.timeout());
        assertEquals(cwd, c.cwd());
        assertEquals(List.of("uname", "-r"), c.command());
        assertTrue(c.forwardStdin());
        assertNull(c.stdinEofGrace());
        assertFalse(c.verbose());
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "HOME", "/home/u", "JAVA_HOME", "/jdk25",
                "LANG", "C.UTF-8", "JUBLK_IN_VM", "1"), c.env());
    }

    @Test
    void options() {
        VmConfig c = parse("run", "--suite", "trixie", "--memory", "1G", "--cpus", "1", "--timeout", "30",
                "--cwd", ".", "--env", "OTHER", "--env", "NEW=a=b", "--env", "JUBLK_*", "--env", "UNSET",
                "--modprobe", "null_blk", "--no-stdin", "--fork", "-v", "--", "java", "--", "-x");
        assertEquals("trixie", c.suite());
        assertEquals("1G", c.memory());
        assertEquals(1, c.cpus());
        assertEquals(Duration.ofSeconds(30), c.timeout());
        assertEquals(List.of("java", "--", "-x"), c.command());
        assertEquals(List.of("null_blk"), c.modprobe());
        assertFalse(c.forwardStdin());
        assertEquals(Duration.ofSeconds(30), c.stdinEofGrace());
        assertTrue(c.verbose());
        assertEquals("x", c.env().get("OTHER"));
        assertEquals("a=b", c.env().get("NEW"));
        assertEquals("1", c.env().get("JUBLK_A"));
        assertEquals("2", c.env().get("JUBLK_B"));
        assertFalse(c.env().containsKey("UNSET"));
    }

    @Test
    void environmentDefaults() {
        Map<String, String> env = Map.of("JUBLK_VM_SUITE", "trixie-backports", "JUBLK_VM_TIMEOUT", "99",
                "JUBLK_VM_ENV", "OTHER  X=1", "OTHER", "o", "JUBLK_VM_VERBOSE", "1");
        VmConfig c = VmMain.parse(List.of("run", "--", "true"), env, cwd, "/harness-jdk");
        assertEquals("trixie-backports", c.suite());
        assertEquals(Duration.ofSeconds(99), c.timeout());
        assertEquals("o", c.env().get("OTHER"));
        assertEquals("1", c.env().get("X"));
        assertEquals("/harness-jdk", c.env().get("JAVA_HOME"));
        assertTrue(c.verbose());
    }

    @Test
    void usageErrors() {
        assertThrows(VmMain.UsageException.class, () -> parse());
        assertThrows(VmMain.UsageException.class, () -> parse("boot"));
        assertThrows(VmMain.UsageException.class, () -> parse("run"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--cpus"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--cpus", "two", "--", "x"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--bogus", "--", "x"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--suite", "../etc", "--", "x"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--env", "BAD-NAME=1", "--", "x"));
        assertThrows(VmMain.UsageException.class, () -> parse("run", "--cwd", "no/such/dir", "--", "x"));
    }
}
