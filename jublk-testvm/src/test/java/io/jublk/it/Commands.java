package io.jublk.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Runs the guest's tools (fio, mkfs, mount, fsck) and checks how they ended. */
final class Commands {
    private Commands() {
    }

    /** The outcome of a command. */
    record Result(int exitCode, String output) {
    }

    static Result run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = ("<output lost: " + e + ">").getBytes(StandardCharsets.UTF_8);
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            fail("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8));
    }

    /** Runs a command that must succeed; returns its output. */
    static String check(long timeoutSeconds, String... command) throws IOException, InterruptedException {
        Result r = run(timeoutSeconds, command);
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited with " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** fio with verification: writes random blocks of mixed sizes, reads them back and checks crc32c. */
    static String fioVerify(String device, long sizeBytes, int iodepth, int jobs) throws IOException, InterruptedException {
        List<String> args = List.of("fio", "--name=verify", "--filename=" + device, "--ioengine=io_uring",
                "--direct=1", "--rw=randwrite", "--bsrange=4k-128k", "--iodepth=" + iodepth,
                "--numjobs=" + jobs, "--size=" + (sizeBytes / jobs), "--offset_increment=" + (sizeBytes / jobs),
                "--verify=crc32c", "--verify_fatal=1", "--do_verify=1", "--group_reporting",
                "--randrepeat=0", "--output-format=normal");
        String out = check(600, args.toArray(String[]::new));
        if (out.contains("verify:") && out.contains("bad")) {
            fail("fio reported verify errors:\n" + out);
        }
        return out;
    }
}
