// SPDX-License-Identifier: Apache-2.0

import io.jublk.cli.Main;
import io.jublk.core.control.UblkControl;
import io.jublk.uring.CompletionHandler;
import io.jublk.uring.IoUring;
import io.jublk.uring.SubmissionEntry;
import io.jublk.uring.sys.FileCalls;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run behind {@code ./jublk}'s AOT cache: walks the paths every short command takes
 * (option parsing, help, the io_uring and libc downcalls the control device is driven with) without
 * changing anything in the kernel, so it runs on any build host, with or without ublk_drv. Classes it
 * loads and links go into the cache; later commands find them there instead of loading them again.
 */
public final class JublkTraining {
    private static final int IORING_OP_NOP = 0;
    private static final int IORING_OP_URING_CMD = 46;

    private JublkTraining() {
    }

    /**
     * Runs the training.
     *
     * @param args ignored
     * @throws Exception when the training itself breaks
     */
    public static void main(String[] args) throws Exception {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        String[][] lines = {
                {"--version"}, {"--help"}, {"list", "--help"}, {"add", "--help"}, {"del", "--help"}, {"recover", "--help"},
                // Wrong command lines stop at parsing, before the kernel is asked anything.
                {"list", "-n", "x"}, {"del"}, {"add", "-t", "null", "-n", "0", "-q", "0"}, {"nonsense"},
        };
        for (String[] line : lines) {
            Main.run(line, sink, sink);
        }
        exerciseRing();
        if (Files.isReadable(Path.of("/dev/ublk-control"))) {
            // Only reads: which devices exist.
            try (UblkControl ctl = UblkControl.open()) {
                ctl.listDevices();
            }
        }
    }

    /** Opens a file, sets up a 128-byte-SQE ring as the control device's, and runs commands on it. */
    private static void exerciseRing() throws Exception {
        int fd = FileCalls.open("/dev/null", FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0);
        try (IoUring ring = IoUring.builder(32).sqe128().build()) {
            for (int round = 0; round < 4; round++) {
                SubmissionEntry nop = ring.nextSqe();
                nop.opcode(IORING_OP_NOP).userData(1);
                // A uring command /dev/null refuses: the same submission and completion code as a ublk one.
                SubmissionEntry cmd = ring.nextSqe();
                cmd.opcode(IORING_OP_URING_CMD).fd(fd).cmdOp(0).cmdInt(0, 0).cmdLong(8, 0).userData(2);
                ring.submitAndWait(2);
                int[] seen = new int[1];
                CompletionHandler count = (userData, res, flags) -> seen[0]++;
                while (seen[0] < 2) {
                    ring.pollCompletions(count);
                }
            }
        } finally {
            FileCalls.close(fd);
        }
    }
}
