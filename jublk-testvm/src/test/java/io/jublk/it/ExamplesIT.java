// SPDX-License-Identifier: Apache-2.0
package io.jublk.it;

import io.jublk.core.UblkDevice;
import io.jublk.core.control.UblkControl;
import io.jublk.examples.AsyncExample;
import io.jublk.examples.BufferPoolExample;
import io.jublk.examples.ManyDevicesExample;
import io.jublk.examples.NullExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The programs of jublk-examples on the real driver: in this JVM through their static methods, and
 * as separate JVMs on the module path against the built jars, as a consumer runs them.
 */
@Timeout(900)
class ExamplesIT {
    private static final long SIZE = 64L << 20;

    @Test
    void shouldServeTheNullExample() throws Exception {
        try (UblkDevice dev = NullExample.start(SIZE)) {
            // A null device keeps no data, so fio only moves it; there is nothing to verify.
            System.out.println(fioMoves(dev.blockPath()));
        }
    }

    @Test
    void shouldPassFioVerifyOnTheAsyncExample() throws Exception {
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            try (UblkDevice dev = AsyncExample.start(arena.allocate(SIZE, 4096), pool)) {
                System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, 32, 2));
            }
        }
    }

    @Test
    void shouldPassFioVerifyOnTheBufferPoolExample() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            try (UblkDevice dev = BufferPoolExample.start(arena.allocate(SIZE, 4096))) {
                System.out.println(Commands.fioVerify(dev.blockPath(), 32L << 20, 32, 2));
            }
        }
    }

    @Test
    void shouldPassFioVerifyOnSixteenDevicesOfOneThread() throws Exception {
        List<Integer> ids = new ArrayList<>();
        try (ManyDevicesExample many = ManyDevicesExample.start(16, 16L << 20)) {
            List<String> paths = many.devices().stream().map(UblkDevice::blockPath).toList();
            many.devices().forEach(dev -> ids.add(dev.id()));
            assertEquals(16, paths.size());
            Commands.fioVerifyEach(paths, 1L << 20, 16);
        }
        for (int id : ids) {
            assertFalse(UblkControl.deviceIds().contains(id), "device " + id + " deleted");
        }
    }

    /** A consumer's JVM on the module path, stopped the way an operator does: {@code jublk del}. */
    @Test
    void shouldRunTheNullExampleOnTheModulePathUntilDeleted() throws Exception {
        Example example = Example.launch("NullExample", "64M");
        try {
            System.out.println(fioMoves(example.blockPath));
            CliRun del = CliRun.jublk("del", "-n", String.valueOf(example.id()));
            assertEquals(0, del.status(), del.out() + del.err());
            assertEquals(0, example.awaitExit(), "the example exits cleanly after 'jublk del':\n" + example.stderr());
        } finally {
            example.kill();
        }
        assertDeleted(example.id());
    }

    /** The same on SIGTERM: the example deletes its device before its JVM exits. */
    @Test
    void shouldRunTheAsyncExampleOnTheModulePathUntilSigterm() throws Exception {
        Example example = Example.launch("AsyncExample", "64M");
        try {
            System.out.println(Commands.fioVerify(example.blockPath, 32L << 20, 32, 2));
            example.process.destroy();
            example.awaitExit();
        } finally {
            example.kill();
        }
        assertDeleted(example.id());
    }

    private static void assertDeleted(int id) throws Exception {
        assertFalse(Files.exists(Path.of("/dev/ublkb" + id)), "block node of device " + id + " removed");
        assertFalse(UblkControl.deviceIds().contains(id), "device " + id + " deleted");
    }

    /** fio reading and writing a device for a few seconds, without verification. */
    private static String fioMoves(String device) throws Exception {
        return Commands.check(300, "fio", "--name=moves", "--filename=" + device, "--ioengine=io_uring",
                "--direct=1", "--rw=randrw", "--bs=4k", "--iodepth=32", "--size=32M", "--runtime=3", "--time_based",
                "--output-format=terse", "--terse-version=3");
    }

    /** An example's own JVM and the device it printed. */
    private record Example(Process process, String blockPath, Path stderrFile) {
        static Example launch(String name, String... args) throws Exception {
            String modulePath = System.getProperty("jublk.modulePath");
            assertNotNull(modulePath, "jublk.modulePath: the jars of uring, core, targets and examples");
            for (String jar : modulePath.split(File.pathSeparator)) {
                assertTrue(Files.isRegularFile(Path.of(jar)), jar + " is built");
            }
            String java = ProcessHandle.current().info().command().orElseThrow();
            List<String> command = new ArrayList<>(List.of(java,
                    "--enable-native-access=io.jublk.uring,io.jublk.core,io.jublk.targets",
                    "--module-path", modulePath, "-m", "io.jublk.examples/io.jublk.examples." + name));
            command.addAll(Arrays.asList(args));
            Path stderr = Files.createTempFile("jublk-example", ".err");
            Process p = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            p.getOutputStream().close();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            // The guest JVM starts slowly under TCG; the example prints its device once it is live.
            String line = out.readLine();
            if (line == null || !line.startsWith("/dev/ublkb")) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError(name + " printed " + line + " instead of its device:\n" + Files.readString(stderr));
            }
            assertTrue(Files.exists(Path.of(line)), line + " exists");
            return new Example(p, line, stderr);
        }

        int id() {
            return Integer.parseInt(blockPath.substring("/dev/ublkb".length()));
        }

        String stderr() throws Exception {
            return Files.readString(stderrFile);
        }

        int awaitExit() throws Exception {
            assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the example exits:\n" + stderr());
            return process.exitValue();
        }

        void kill() throws Exception {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
            System.out.print(stderr());
            Files.deleteIfExists(stderrFile);
        }
    }
}
