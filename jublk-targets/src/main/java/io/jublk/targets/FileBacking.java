// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets;

import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The backing of a {@link FileTarget}, opened and probed: what it is (regular file or block device,
 * on which file system), how large, whether it can be written, whether it punches holes, and from
 * that whether requests are served inline and through a mapping of the file.
 */
final class FileBacking {
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFREG = 0100000;
    private static final long BLKGETSIZE64 = 0x80081272L;

    private static final int EACCES = Errno.EACCES.value();
    private static final int EPERM = Errno.EPERM.value();
    private static final int EROFS = Errno.EROFS.value();

    final Path path;
    final int fd;
    final int zeroFd;   // /dev/zero: fills reads past the end of a short file in zero copy mode
    final long size;
    final boolean blockDevice;
    final boolean readOnly;
    final boolean direct;
    final boolean punchHole;
    final boolean inline;
    final FileMapping mapping;   // null when not mapped

    /**
     * Opens the backing read-write, or read-only when asked or when it cannot be written.
     *
     * @param path a regular file or block device
     * @param readOnly whether to open it read-only
     * @param direct whether to open it with O_DIRECT
     * @param wantedSize the device size; 0 for the backing's
     * @param inline whether to serve small requests inline; {@code null} to choose from the file system
     * @param map whether to map the file; {@code null} to choose from the file system
     * @throws IOException when it cannot be opened or sized
     */
    FileBacking(Path path, boolean readOnly, boolean direct, long wantedSize, Boolean inline, Boolean map)
            throws IOException {
        this.path = path;
        int type = (int) Files.getAttribute(path, "unix:mode") & S_IFMT;
        if (type != S_IFREG && type != S_IFBLK) {
            throw new IllegalArgumentException(path + " is neither a regular file nor a block device");
        }
        this.blockDevice = type == S_IFBLK;
        this.direct = direct;
        int flags = FileCalls.O_CLOEXEC | (direct ? FileCalls.O_DIRECT : 0);
        boolean ro = readOnly;
        int opened;
        if (ro) {
            opened = FileCalls.open(path.toString(), flags | FileCalls.O_RDONLY, 0);
        } else {
            int tried;
            try {
                tried = FileCalls.open(path.toString(), flags | FileCalls.O_RDWR, 0);
            } catch (ErrnoException e) {
                if (e.errnoValue() != EACCES && e.errnoValue() != EROFS && e.errnoValue() != EPERM) {
                    throw e;
                }
                // A read-only file, file system or block device: serve it read-only.
                tried = FileCalls.open(path.toString(), flags | FileCalls.O_RDONLY, 0);
                ro = true;
            }
            opened = tried;
        }
        this.fd = opened;
        this.readOnly = ro;
        String fileSystem = type == S_IFREG ? fileSystemType(path) : "";
        boolean inMemory = fileSystem.equals("tmpfs") || fileSystem.equals("ramfs");
        this.inline = inline != null ? inline : !direct && inMemory;
        int zero = -1;
        try {
            zero = FileCalls.open("/dev/zero", FileCalls.O_RDONLY | FileCalls.O_CLOEXEC, 0);
            long backing = blockDevice ? blockDeviceSize(fd) : Files.size(path);
            long wanted = wantedSize > 0 ? wantedSize : backing;
            this.size = wanted & -512L;
            if (size <= 0) {
                throw new IllegalArgumentException(path + " is empty: give a size, or use a file of at least 512 bytes");
            }
            this.punchHole = !this.readOnly && !blockDevice && probePunchHole(fd, backing);
            boolean onTmpfs = fileSystem.equals("tmpfs");
            if (Boolean.TRUE.equals(map) && !(this.inline && onTmpfs)) {
                throw new IllegalArgumentException("cannot map " + path + ": mapping serves inline IO on tmpfs only"
                        + (!this.inline ? ", and inline IO is off"
                                : blockDevice ? ", and this is a block device" : ", and this file is on " + fileSystem)
                        + "; leave map unset to let the target choose");
            }
            long mapped = Math.min(backing, size) & -(1L << AllocatedPages.PAGE_SHIFT);
            boolean mapping = map != null ? map : this.inline && onTmpfs;
            this.mapping = mapping && mapped > 0 ? FileMapping.map(fd, mapped, this.readOnly) : null;
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            if (zero >= 0) {
                closeQuietly(zero);
            }
            throw e;
        }
        this.zeroFd = zero;
    }

    /** Closes the backing's files; the mapping, if any, is the caller's to unmap. */
    void close() {
        closeQuietly(fd);
        closeQuietly(zeroFd);
    }

    private static long blockDeviceSize(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            FileCalls.ioctl(fd, BLKGETSIZE64, out.address());
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** The file system type of a regular file, for choosing inline IO (tmpfs, ramfs) and the mapping (tmpfs). */
    private static String fileSystemType(Path path) {
        try {
            return Files.getFileStore(path).type();
        } catch (IOException | RuntimeException e) {
            return "an unknown file system";
        }
    }

    /**
     * Whether the file system punches holes: punches one page at the end of the file, where nothing
     * is stored, so the data is untouched whatever the answer.
     */
    private static boolean probePunchHole(int fd, long fileSize) {
        long at = (fileSize + 4095) & -4096L;
        try {
            FileCalls.fallocate(fd, FileRing.PUNCH, at, 4096);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static void closeQuietly(int fd) {
        try {
            FileCalls.close(fd);
        } catch (ErrnoException ignored) {
            // Nothing left to do with it.
        }
    }
}
