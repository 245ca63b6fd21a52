// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.control;

import io.jublk.core.jfr.DeviceEvents;
import io.jublk.core.uapi.CtrlCmdFlyweight;
import io.jublk.core.uapi.DevInfoFlyweight;
import io.jublk.core.uapi.ParamsFlyweight;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkFeature;
import io.jublk.uring.Errno;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.IoUring;
import io.jublk.uring.IoUringConstants;
import io.jublk.uring.SubmissionEntry;
import io.jublk.core.UblkDeviceBusyException;
import io.jublk.core.UblkException;
import io.jublk.uring.sys.FileCalls;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeSet;

/**
 * The ublk control device, {@code /dev/ublk-control}: adds, configures, starts, stops, deletes,
 * lists and recovers devices. Each command goes to the kernel as an io_uring URING_CMD on a
 * 128-byte-SQE ring.
 *
 * <p>Thread-safe: commands are serialized. Commands that wait in the kernel (DEL_DEV until the
 * server closes {@code /dev/ublkcN}, START_DEV until every tag is fetched) block the caller.
 */
public final class UblkControl implements AutoCloseable {
    /** Path of the control device. */
    public static final String CONTROL_PATH = "/dev/ublk-control";

    private static final System.Logger LOG = System.getLogger("io.jublk.control");
    private static final int PAYLOAD_BYTES = 8192;
    private static final int DEV_PATH_MAX = 64;

    private final int fd;
    private final IoUring ring;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment payload = arena.allocate(PAYLOAD_BYTES, 4096);
    private final CtrlCmdFlyweight cmd = new CtrlCmdFlyweight();
    private final DevInfoFlyweight devInfo = new DevInfoFlyweight();
    private final ParamsFlyweight params = new ParamsFlyweight();
    private int result;
    private boolean resultSeen;
    private final io.jublk.uring.CompletionHandler onResult = (userData, res, flags) -> {
        result = res;
        resultSeen = true;
    };
    private long features = -1;
    private boolean closed;

    private UblkControl(int fd, IoUring ring) {
        this.fd = fd;
        this.ring = ring;
    }

    /**
     * Opens {@code /dev/ublk-control}.
     *
     * @return the control device
     * @throws UblkException when the driver is missing or access is denied, with what to do
     */
    public static UblkControl open() throws UblkException {
        if (!Files.exists(Path.of(CONTROL_PATH))) {
            throw new UblkException("open " + CONTROL_PATH, UblkException.NO_DEVICE, Errno.ENOENT,
                    "the ublk_drv kernel module is not loaded: run 'modprobe ublk_drv' as root (kernel 6.4 or newer)");
        }
        int fd;
        try {
            fd = FileCalls.open(CONTROL_PATH, FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0);
        } catch (ErrnoException e) {
            String hint = e.errno() == Errno.EACCES || e.errno() == Errno.EPERM
                    ? "run as root, or allow your user to open it (see the udev rules in the README)" : null;
            throw new UblkException("open " + CONTROL_PATH, UblkException.NO_DEVICE, e.errno(), hint);
        }
        try {
            return new UblkControl(fd, IoUring.builder(32).sqe128().build());
        } catch (ErrnoException e) {
            closeQuietly(fd);
            throw new UblkException("io_uring_setup for " + CONTROL_PATH, UblkException.NO_DEVICE, e);
        }
    }

    /**
     * Asks the kernel which {@code UBLK_F_*} flags it supports (GET_FEATURES, kernel 6.5+).
     *
     * @return the flags; kernels before 6.5 answer with an error, reported as 0 features
     * @throws UblkException when the command fails otherwise
     */
    public synchronized long features() throws UblkException {
        if (features >= 0) {
            return features;
        }
        payload.set(ValueLayout.JAVA_LONG, 0, 0);
        int res = run("UBLK_U_CMD_GET_FEATURES", UblkCmd.UBLK_U_CMD_GET_FEATURES, UblkException.NO_DEVICE,
                CtrlCmdFlyweight.QUEUE_ID_NONE, 0, UblkCmd.UBLK_FEATURES_LEN, false);
        features = res < 0 ? 0 : payload.get(ValueLayout.JAVA_LONG, 0);
        return features;
    }

    /**
     * Adds a device (ADD_DEV). The kernel clamps and completes the request; the returned info is what
     * it granted, flags included, and must be read back.
     *
     * @param devId the wanted id, or -1 for the kernel to choose
     * @param queues number of queues
     * @param depth tags per queue
     * @param maxIoBytes largest request in bytes
     * @param flags wanted {@code UBLK_F_*} flags
     * @param ublksrvFlags server-private flags stored with the device
     * @return the device as added
     * @throws UblkException when the kernel refuses
     */
    public synchronized UblkDeviceInfo addDevice(int devId, int queues, int depth, int maxIoBytes, long flags,
                                                 long ublksrvFlags) throws UblkException {
        payload.asSlice(0, DevInfoFlyweight.SIZE).fill((byte) 0);
        devInfo.wrap(payload, 0).nrHwQueues(queues).queueDepth(depth).maxIoBufBytes(maxIoBytes)
                .devId(devId).ublksrvPid(-1).flags(flags).ublksrvFlags(ublksrvFlags);
        runChecked("UBLK_U_CMD_ADD_DEV", UblkCmd.UBLK_U_CMD_ADD_DEV, devId, CtrlCmdFlyweight.QUEUE_ID_NONE, 0,
                (int) DevInfoFlyweight.SIZE, false);
        return readDevInfo();
    }

    /**
     * Sets the parameters of a device that is not started (SET_PARAMS).
     *
     * @param devId the device
     * @param p the parameters; DEVT is read-only and never sent
     * @param unprivileged whether the device is unprivileged (commands then carry its path)
     * @throws UblkException when the kernel refuses them
     */
    public synchronized void setParams(int devId, UblkParams p, boolean unprivileged) throws UblkException {
        int base = pathPrefix(devId, unprivileged);
        MemorySegment area = payload.asSlice(base, ParamsFlyweight.SIZE);
        area.fill((byte) 0);
        params.wrap(area, 0).len((int) ParamsFlyweight.SIZE).types(p.types() & ~UblkCmd.UBLK_PARAM_TYPE_DEVT)
                .basicAttrs(p.attrs()).basicLogicalBsShift(p.logicalBsShift()).basicPhysicalBsShift(p.physicalBsShift())
                .basicIoOptShift(p.ioOptShift()).basicIoMinShift(p.ioMinShift()).basicMaxSectors(p.maxSectors())
                .basicChunkSectors(p.chunkSectors()).basicDevSectors(p.devSectors())
                .discardAlignment(p.discardAlignment()).discardGranularity(p.discardGranularity())
                .discardMaxDiscardSectors(p.maxDiscardSectors()).discardMaxWriteZeroesSectors(p.maxWriteZeroesSectors())
                .discardMaxDiscardSegments(p.maxDiscardSegments()).dmaAlignment(p.dmaAlignment());
        runChecked("UBLK_U_CMD_SET_PARAMS", UblkCmd.UBLK_U_CMD_SET_PARAMS, devId, CtrlCmdFlyweight.QUEUE_ID_NONE, 0,
                base + (int) ParamsFlyweight.SIZE, unprivileged);
    }

    /**
     * Reads a device's parameters (GET_PARAMS), including DEVT.
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @return the parameters
     * @throws UblkException when the command fails
     */
    public synchronized UblkParams getParams(int devId, boolean unprivileged) throws UblkException {
        int base = pathPrefix(devId, unprivileged);
        MemorySegment area = payload.asSlice(base, ParamsFlyweight.SIZE);
        area.fill((byte) 0);
        params.wrap(area, 0).len((int) ParamsFlyweight.SIZE);
        runChecked("UBLK_U_CMD_GET_PARAMS", UblkCmd.UBLK_U_CMD_GET_PARAMS, devId, CtrlCmdFlyweight.QUEUE_ID_NONE, 0,
                base + (int) ParamsFlyweight.SIZE, unprivileged);
        return new UblkParams(params.types(), params.basicAttrs(), params.basicLogicalBsShift(),
                params.basicPhysicalBsShift(), params.basicIoOptShift(), params.basicIoMinShift(),
                params.basicMaxSectors(), params.basicChunkSectors(), params.basicDevSectors(),
                params.discardAlignment(), params.discardGranularity(), params.discardMaxDiscardSectors(),
                params.discardMaxWriteZeroesSectors(), params.discardMaxDiscardSegments(),
                params.devtDiskMajor(), params.devtDiskMinor(), params.dmaAlignment());
    }

    /**
     * Starts a device (START_DEV): the kernel waits until every tag of every queue is fetched, then
     * creates {@code /dev/ublkbN}. The queues must be started and served while this waits.
     *
     * @param devId the device
     * @param serverPid the pid of the process serving it (the one that opened {@code /dev/ublkcN})
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the kernel refuses
     */
    public void startDevice(int devId, int serverPid, boolean unprivileged) throws UblkException {
        simple("UBLK_U_CMD_START_DEV", UblkCmd.UBLK_U_CMD_START_DEV, devId, serverPid, unprivileged);
    }

    /**
     * Stops a device (STOP_DEV): removes {@code /dev/ublkbN} once in-flight IO is done, then aborts
     * every queue's fetches.
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the command fails
     */
    public void stopDevice(int devId, boolean unprivileged) throws UblkException {
        simple("UBLK_U_CMD_STOP_DEV", UblkCmd.UBLK_U_CMD_STOP_DEV, devId, 0, unprivileged);
    }

    /**
     * Stops a device only if nobody has {@code /dev/ublkbN} open (TRY_STOP_DEV, kernel 7.0+ with
     * UBLK_F_SAFE_STOP_DEV); the device may be served by another process.
     *
     * @param devId the device
     * @throws UblkDeviceBusyException when the block device is open; it keeps running
     * @throws UblkException EOPNOTSUPP when the kernel has no safe stop (nothing is stopped), or
     *     when the command fails otherwise
     */
    public void tryStop(int devId) throws UblkException {
        tryStop(devId, isUnprivileged(devId));
    }

    /**
     * Like {@link #tryStop(int)}, for a device known to be privileged or not.
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @throws UblkDeviceBusyException when the block device is open; it keeps running
     * @throws UblkException EOPNOTSUPP when the kernel has no safe stop, or when the command fails otherwise
     */
    public void tryStop(int devId, boolean unprivileged) throws UblkException {
        String name = "UBLK_U_CMD_TRY_STOP_DEV";
        requireFeature(UblkFeature.SAFE_STOP_DEV, name, devId);
        try {
            simple(name, UblkCmd.UBLK_U_CMD_TRY_STOP_DEV, devId, 0, unprivileged);
        } catch (UblkException e) {
            if (e.errno() == Errno.EBUSY) {
                throw new UblkDeviceBusyException(name, devId);
            }
            throw e;
        }
    }

    /**
     * Stops a device only if nobody has {@code /dev/ublkbN} open: {@link #tryStop(int, boolean)}
     * answering busy with {@code false}.
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @return {@code true} when stopped, {@code false} when the device is busy
     * @throws UblkException when the kernel has no safe stop, or the command fails otherwise
     */
    public boolean tryStopDevice(int devId, boolean unprivileged) throws UblkException {
        try {
            tryStop(devId, unprivileged);
            return true;
        } catch (UblkDeviceBusyException e) {
            return false;
        }
    }

    /**
     * Deletes a device (DEL_DEV). Waits until the server has closed {@code /dev/ublkcN}.
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the command fails
     */
    public void deleteDevice(int devId, boolean unprivileged) throws UblkException {
        simple("UBLK_U_CMD_DEL_DEV", UblkCmd.UBLK_U_CMD_DEL_DEV, devId, 0, unprivileged);
    }

    /**
     * Deletes a device without waiting for its server to close {@code /dev/ublkcN} (DEL_DEV_ASYNC,
     * kernel 6.9+): the id is freed once the server lets go. The device may be served by another process.
     *
     * @param devId the device
     * @throws UblkException when the kernel has no asynchronous delete, or the command fails
     */
    public void deleteAsync(int devId) throws UblkException {
        deleteDeviceAsync(devId, isUnprivileged(devId));
    }

    /**
     * Like {@link #deleteAsync(int)}, for a device known to be privileged or not.
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the kernel has no asynchronous delete, or the command fails
     */
    public void deleteDeviceAsync(int devId, boolean unprivileged) throws UblkException {
        String name = "UBLK_U_CMD_DEL_DEV_ASYNC";
        try {
            simple(name, UblkCmd.UBLK_U_CMD_DEL_DEV_ASYNC, devId, 0, unprivileged);
        } catch (UblkException e) {
            // No feature flag tells; kernels before 6.9 do not know the command.
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new UblkException(name, devId, Errno.EOPNOTSUPP,
                        "asynchronous delete needs Linux 6.9 or newer; the device is not deleted");
            }
            throw e;
        }
    }

    /**
     * Changes the size of a started device (UPDATE_SIZE, kernel 6.16+ with UBLK_F_UPDATE_SIZE); the
     * device may be served by another process, which must be able to serve the new size.
     *
     * @param devId the device
     * @param bytes the new size in bytes: positive, a multiple of the logical block size
     * @throws IllegalArgumentException when the size is not positive or not a multiple of the logical block size
     * @throws UblkException EOPNOTSUPP when the kernel cannot resize, or when the command fails
     */
    public void updateSize(int devId, long bytes) throws UblkException {
        updateSize(devId, bytes, isUnprivileged(devId));
    }

    /**
     * Like {@link #updateSize(int, long)}, for a device known to be privileged or not.
     *
     * @param devId the device
     * @param bytes the new size in bytes: positive, a multiple of the logical block size
     * @param unprivileged whether the device is unprivileged
     * @throws IllegalArgumentException when the size is not positive or not a multiple of the logical block size
     * @throws UblkException EOPNOTSUPP when the kernel cannot resize, or when the command fails
     */
    public void updateSize(int devId, long bytes, boolean unprivileged) throws UblkException {
        String name = "UBLK_U_CMD_UPDATE_SIZE";
        requireFeature(UblkFeature.UPDATE_SIZE, name, devId);
        long sectors = DeviceSize.sectors(bytes, getParams(devId, unprivileged).logicalBlockSize());
        simple(name, UblkCmd.UBLK_U_CMD_UPDATE_SIZE, devId, sectors, unprivileged);
    }

    /**
     * Refuses, before anything is sent, a command the running kernel lacks.
     *
     * @param feature the {@code UBLK_F_*} flag that announces the command
     * @param command the command, in kernel spelling
     * @param devId the device, or {@link UblkException#NO_DEVICE}
     * @throws UblkException EOPNOTSUPP naming the flag and the Linux release that brought it
     */
    public void requireFeature(UblkFeature feature, String command, int devId) throws UblkException {
        if (!feature.isSet(features())) {
            throw new UblkException(command, devId, Errno.EOPNOTSUPP, "this kernel lacks " + feature.kernelName()
                    + " (Linux " + feature.since() + " or newer): " + feature.description() + " is not available");
        }
    }

    private boolean isUnprivileged(int devId) throws UblkException {
        return deviceInfo(devId).has(UblkFeature.UNPRIVILEGED_DEV);
    }

    /**
     * Quiesces a device for a planned server restart (QUIESCE_DEV, kernel 6.16+ with UBLK_F_QUIESCE).
     *
     * @param devId the device
     * @param timeoutMillis how long the kernel waits for idle queues; 0 waits forever
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the command fails (EBUSY on timeout)
     */
    public void quiesceDevice(int devId, long timeoutMillis, boolean unprivileged) throws UblkException {
        jdk.jfr.Event event = DeviceEvents.begin(DeviceEvents.Step.QUIESCED, devId);
        simple("UBLK_U_CMD_QUIESCE_DEV", UblkCmd.UBLK_U_CMD_QUIESCE_DEV, devId, timeoutMillis, unprivileged);
        DeviceEvents.end(event, null);
    }

    /**
     * Begins recovering a device whose server is gone (START_USER_RECOVERY).
     *
     * @param devId the device
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the command fails
     */
    public void startUserRecovery(int devId, boolean unprivileged) throws UblkException {
        simple("UBLK_U_CMD_START_USER_RECOVERY", UblkCmd.UBLK_U_CMD_START_USER_RECOVERY, devId, 0, unprivileged);
    }

    /**
     * Ends recovery once the new server has fetched every tag (END_USER_RECOVERY).
     *
     * @param devId the device
     * @param serverPid the new server's pid
     * @param unprivileged whether the device is unprivileged
     * @throws UblkException when the command fails
     */
    public void endUserRecovery(int devId, int serverPid, boolean unprivileged) throws UblkException {
        simple("UBLK_U_CMD_END_USER_RECOVERY", UblkCmd.UBLK_U_CMD_END_USER_RECOVERY, devId, serverPid, unprivileged);
    }

    /**
     * Reads a device's info: GET_DEV_INFO2 (which names the device by path) where the kernel has
     * it, else GET_DEV_INFO.
     *
     * @param devId the device
     * @return the info
     * @throws UblkException ENODEV (or ENOENT) when there is no such device
     */
    public synchronized UblkDeviceInfo deviceInfo(int devId) throws UblkException {
        boolean withPath = features() != 0;
        int base = withPath ? pathPrefix(devId, true) : 0;
        payload.asSlice(base, DevInfoFlyweight.SIZE).fill((byte) 0);
        if (withPath) {
            runChecked("UBLK_U_CMD_GET_DEV_INFO2", UblkCmd.UBLK_U_CMD_GET_DEV_INFO2, devId,
                    CtrlCmdFlyweight.QUEUE_ID_NONE, 0, base + (int) DevInfoFlyweight.SIZE, true);
        } else {
            runChecked("UBLK_U_CMD_GET_DEV_INFO", UblkCmd.UBLK_U_CMD_GET_DEV_INFO, devId,
                    CtrlCmdFlyweight.QUEUE_ID_NONE, 0, (int) DevInfoFlyweight.SIZE, false);
        }
        devInfo.wrap(payload, base);
        return toInfo();
    }

    /**
     * Reads the CPUs a queue's interrupts and work favour (GET_QUEUE_AFFINITY).
     *
     * @param devId the device
     * @param queueId the queue
     * @return the CPUs
     * @throws UblkException when the command fails
     */
    public BitSet queueAffinity(int devId, int queueId) throws UblkException {
        return queueAffinity(devId, queueId, false);
    }

    /**
     * Like {@link #queueAffinity(int, int)}, for a device known to be privileged or not.
     *
     * @param devId the device
     * @param queueId the queue
     * @param unprivileged whether the device is unprivileged (the command then carries its path)
     * @return the CPUs
     * @throws UblkException when the command fails
     */
    public synchronized BitSet queueAffinity(int devId, int queueId, boolean unprivileged) throws UblkException {
        int bytes = 1024;
        int base = pathPrefix(devId, unprivileged);
        payload.asSlice(base, bytes).fill((byte) 0);
        runChecked("UBLK_U_CMD_GET_QUEUE_AFFINITY", UblkCmd.UBLK_U_CMD_GET_QUEUE_AFFINITY, devId,
                CtrlCmdFlyweight.QUEUE_ID_NONE, queueId, base + bytes, unprivileged);
        return BitSet.valueOf(payload.asSlice(base, bytes).toArray(ValueLayout.JAVA_LONG));
    }

    /**
     * Lists the ids of the ublk devices that exist, from their char device nodes.
     *
     * @return the ids, ascending
     */
    public static List<Integer> deviceIds() {
        TreeSet<Integer> ids = new TreeSet<>();
        for (String dir : new String[] {"/sys/class/ublk-char", "/dev"}) {
            Path p = Path.of(dir);
            if (!Files.isDirectory(p)) {
                continue;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p, "ublkc*")) {
                for (Path e : entries) {
                    String digits = e.getFileName().toString().substring("ublkc".length());
                    if (!digits.isEmpty() && digits.chars().allMatch(Character::isDigit)) {
                        ids.add(Integer.parseInt(digits));
                    }
                }
            } catch (IOException ignored) {
                // An unreadable directory lists nothing; the other source may still.
            }
        }
        return new ArrayList<>(ids);
    }

    /**
     * Lists the devices that exist, with their info; devices that vanish meanwhile, and (for a user
     * without CAP_SYS_ADMIN) other users' devices, are skipped.
     *
     * @return the devices, by ascending id
     * @throws UblkException when a device's info cannot be read for another reason
     */
    public List<UblkDeviceInfo> listDevices() throws UblkException {
        List<UblkDeviceInfo> out = new ArrayList<>();
        for (int id : deviceIds()) {
            try {
                out.add(deviceInfo(id));
            } catch (UblkException e) {
                if (e.errno() != Errno.ENODEV && e.errno() != Errno.ENOENT && e.errno() != Errno.EACCES
                        && e.errno() != Errno.EPERM) {
                    throw e;
                }
            }
        }
        return out;
    }

    /** Closes the control device. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ring.close();
        closeQuietly(fd);
        arena.close();
    }

    // ---- command plumbing -------------------------------------------------------------------------

    private void simple(String name, int op, int devId, long data, boolean unprivileged) throws UblkException {
        synchronized (this) {
            int base = unprivileged ? pathPrefix(devId, true) : 0;
            runChecked(name, op, devId, CtrlCmdFlyweight.QUEUE_ID_NONE, data, base, unprivileged);
        }
    }

    /** Writes "/dev/ublkcN" at the start of the payload, as unprivileged commands need; returns the payload offset after it. */
    private int pathPrefix(int devId, boolean withPath) {
        if (!withPath) {
            return 0;
        }
        byte[] path = ("/dev/ublkc" + devId).getBytes(StandardCharsets.US_ASCII);
        MemorySegment prefix = payload.asSlice(0, DEV_PATH_MAX);
        prefix.fill((byte) 0);
        MemorySegment.copy(path, 0, prefix, ValueLayout.JAVA_BYTE, 0, path.length);
        return DEV_PATH_MAX;
    }

    private void runChecked(String name, int op, int devId, int queueId, long data, int len, boolean withPath)
            throws UblkException {
        int res = run(name, op, devId, queueId, data, len, withPath);
        if (res < 0) {
            throw UblkException.of(name, devId, res);
        }
    }

    private int run(String name, int op, int devId, int queueId, long data, int len, boolean withPath)
            throws UblkException {
        if (closed) {
            throw new IllegalStateException(CONTROL_PATH + " is closed");
        }
        try {
            SubmissionEntry sqe = ring.nextSqe();
            sqe.uringCmd(fd, op).userData(op & 0xffffffffL);
            cmd.wrap(sqe.segment(), sqe.offset() + IoUringConstants.IO_URING_SQE_CMD_OFFSET)
                    .devId(devId).queueId(queueId).len(len).addr(len == 0 ? 0 : payload.address()).data(data)
                    .devPathLen(withPath ? DEV_PATH_MAX : 0);
            resultSeen = false;
            ring.submit();
            while (!resultSeen) {
                ring.submitAndWait(1);
                ring.pollCompletions(onResult);
            }
            logCommand(name, devId, queueId, result);
            return result;
        } catch (ErrnoException e) {
            throw new UblkException(name, devId, e);
        }
    }

    /** Refused commands at DEBUG, every command at TRACE: the kernel's answers, for an operator chasing a failure. */
    private static void logCommand(String name, int devId, int queueId, int res) {
        System.Logger.Level level = res < 0 ? System.Logger.Level.DEBUG : System.Logger.Level.TRACE;
        if (LOG.isLoggable(level)) {
            LOG.log(level, name + " dev " + devId + (queueId != CtrlCmdFlyweight.QUEUE_ID_NONE ? " queue " + queueId : "") + ": "
                    + (res < 0 ? "refused with " + Errno.of(-res) : "result " + res));
        }
    }

    private UblkDeviceInfo readDevInfo() {
        devInfo.wrap(payload, 0);
        return toInfo();
    }

    private UblkDeviceInfo toInfo() {
        return new UblkDeviceInfo(devInfo.devId(), devInfo.nrHwQueues(), devInfo.queueDepth(), devInfo.state(),
                devInfo.maxIoBufBytes(), devInfo.ublksrvPid(), devInfo.flags(), devInfo.ublksrvFlags(),
                devInfo.ownerUid(), devInfo.ownerGid());
    }

    /**
     * Closes a file descriptor, ignoring failures: for cleanup paths.
     *
     * @param fd the descriptor
     */
    public static void closeQuietly(int fd) {
        try {
            FileCalls.close(fd);
        } catch (ErrnoException ignored) {
            // close(2) failing leaves nothing to undo.
        }
    }
}
