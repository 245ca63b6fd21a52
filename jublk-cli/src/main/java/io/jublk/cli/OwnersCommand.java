// SPDX-License-Identifier: Apache-2.0
package io.jublk.cli;

import io.jublk.core.control.UblkControl;
import io.jublk.core.control.UblkDeviceInfo;
import io.jublk.core.uapi.UblkFeature;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jublk owners}: gives unprivileged devices' nodes to the users who added them, as the udev
 * rule asks. The owner is what the kernel recorded at ADD_DEV, which only GET_DEV_INFO tells (no
 * sysfs attribute carries it); with {@code --fifo} one long-lived JVM serves every udev event, so
 * an event costs a shell, not a JVM.
 */
@Command(name = "owners", header = "give unprivileged devices' nodes to their owners (root; for udev)",
        customSynopsis = "jublk owners [--fifo PATH]",
        description = {
            "Gives the nodes (/dev/ublkcN, /dev/ublkbN) of every unprivileged ublk device to the user and group the"
                    + " kernel recorded when the device was added, mode 0600. Root's devices keep root's nodes. Needs root."})
final class OwnersCommand implements Cli.Verb {
    private static final Pattern NODE = Pattern.compile("ublk([bc])(\\d{1,7})");
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    @Option(names = "--fifo", paramLabel = "PATH", description = "then keep running: read node names (ublkcN or ublkbN), one"
            + " a line, from the FIFO at PATH and hand each over. The udev rule writes them there; jublk-owners.socket creates"
            + " the FIFO and starts this on the first event. A missing FIFO is created (root, mode 0600). A name only says"
            + " where to look: the owner always comes from the kernel, so a forged line changes nothing.")
    String fifoOption;
    @Mixin
    Cli.HelpOption help;

    @Override
    public int run(PrintStream out, PrintStream err) throws Exception {
        Host.requireDriver();
        if (Host.effectiveUid() != 0) {
            throw CliException.failure("owners: needs root: it changes the owner of nodes in /dev");
        }
        // First the devices added while nobody listened (before boot's udev events reach us, or
        // while this was not running).
        for (int id : UblkControl.deviceIds()) {
            handOver("ublkc" + id, out, err);
            handOver("ublkb" + id, out, err);
        }
        if (fifoOption == null) {
            return 0;
        }
        Path fifo = Path.of(fifoOption);
        ensureFifo(fifo);
        warmUp();
        out.println("owners: handing over the ublk nodes named in " + fifo);
        out.flush();
        // Read and write: opening never waits for a writer, and udev's writers coming and going
        // never show as end of file.
        try (RandomAccessFile in = new RandomAccessFile(fifo.toFile(), "rw")) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    handOver(line.strip(), out, err);
                }
            }
        }
        return 0;
    }

    /** Gives one node to its device's owner; says why not on err, and goes on. */
    static void handOver(String name, PrintStream out, PrintStream err) {
        Matcher m = NODE.matcher(name);
        if (!m.matches()) {
            err.println("jublk: owners: '" + name + "' is not a ublk node name (ublkcN or ublkbN)");
            return;
        }
        Path node = Path.of("/dev", name);
        if (!Files.exists(node, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int id = Integer.parseInt(m.group(2));
        try {
            UblkDeviceInfo info;
            try (UblkControl ctl = UblkControl.open()) {
                info = Host.findDevice(ctl, id);
            }
            if (info == null || !info.has(UblkFeature.UNPRIVILEGED_DEV)) {
                return;
            }
            PosixFileAttributes attrs = Files.readAttributes(node, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(node, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int gid = (Integer) Files.getAttribute(node, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            int mode = (Integer) Files.getAttribute(node, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isOther()) {
                err.println("jublk: owners: " + node + " is not a device node; left alone");
                return;
            }
            if (uid == info.ownerUid() && gid == info.ownerGid() && (mode & 07777) == 0600) {
                return;
            }
            Files.setAttribute(node, "unix:uid", info.ownerUid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(node, "unix:gid", info.ownerGid(), LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(node, "unix:mode", 0600);
            out.println(node + ": owner " + info.ownerUid() + ":" + info.ownerGid() + ", mode 0600");
            out.flush();
        } catch (IOException | RuntimeException e) {
            err.println("jublk: owners: " + node + ": " + e.getMessage());
        }
    }

    /**
     * One GET_DEV_INFO round before the first event: the first use of the control device links
     * its native calls, which a slow machine takes seconds for, while a new device's server waits
     * only 10 s for its node.
     */
    private static void warmUp() {
        try (UblkControl ctl = UblkControl.open()) {
            Host.findDevice(ctl, DeviceOptions.MAX_ID);
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the events will say what is wrong
        }
    }

    private static void ensureFifo(Path fifo) throws IOException, InterruptedException, CliException {
        if (!Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(fifo.toAbsolutePath().getParent());
            Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).inheritIO().start();
            if (mkfifo.waitFor() != 0 && !Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                throw CliException.failure("owners: could not create the FIFO " + fifo + " (mkfifo failed)");
            }
        }
        int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFIFO) {
            throw CliException.failure("owners: " + fifo + " is not a FIFO");
        }
    }
}
