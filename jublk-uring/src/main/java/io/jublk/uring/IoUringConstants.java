// SPDX-License-Identifier: Apache-2.0
package io.jublk.uring;

/**
 * io_uring uapi constants and struct offsets, spelled as in {@code include/uapi/linux/io_uring.h}.
 *
 * <p>Values were taken from the Debian bookworm header (Linux 6.1 uapi) and, for constants newer than
 * that header, from the Linux 7.2 uapi (marked "newer kernels"). Offsets are for x86_64 and arm64
 * (little-endian, natural alignment). Immutable and thread-safe.
 */
public final class IoUringConstants {

    private IoUringConstants() {
    }

    // ---------------------------------------------------------------- io_uring_setup flags

    /** Busy-poll for completions (O_DIRECT on polled block devices only). */
    public static final int IORING_SETUP_IOPOLL = 1;
    /** A kernel thread polls the SQ. */
    public static final int IORING_SETUP_SQPOLL = 1 << 1;
    /** {@code sq_thread_cpu} is valid. */
    public static final int IORING_SETUP_SQ_AFF = 1 << 2;
    /** The application sets the CQ size in {@code cq_entries}. */
    public static final int IORING_SETUP_CQSIZE = 1 << 3;
    /** Clamp SQ/CQ sizes to the maximum instead of failing. */
    public static final int IORING_SETUP_CLAMP = 1 << 4;
    /** Attach to the async worker pool of {@code wq_fd}. */
    public static final int IORING_SETUP_ATTACH_WQ = 1 << 5;
    /** Start disabled; enable with {@link #IORING_REGISTER_ENABLE_RINGS}. */
    public static final int IORING_SETUP_R_DISABLED = 1 << 6;
    /** Keep submitting after an SQE fails to prepare. */
    public static final int IORING_SETUP_SUBMIT_ALL = 1 << 7;
    /** Run task work only at kernel/user transitions instead of interrupting the task. */
    public static final int IORING_SETUP_COOP_TASKRUN = 1 << 8;
    /** Set {@link #IORING_SQ_TASKRUN} in the SQ flags when task work is pending. */
    public static final int IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    /** SQEs are 128 bytes (needed for ublk control commands). */
    public static final int IORING_SETUP_SQE128 = 1 << 10;
    /** CQEs are 32 bytes. */
    public static final int IORING_SETUP_CQE32 = 1 << 11;
    /** Only one task submits; it is the task that created the ring (unless {@link #IORING_SETUP_R_DISABLED}). */
    public static final int IORING_SETUP_SINGLE_ISSUER = 1 << 12;
    /** Defer task work until the issuer enters with GETEVENTS (needs {@link #IORING_SETUP_SINGLE_ISSUER}). */
    public static final int IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    /** Application provides the ring memory (newer kernels). */
    public static final int IORING_SETUP_NO_MMAP = 1 << 14;
    /** Register the ring fd itself (newer kernels). */
    public static final int IORING_SETUP_REGISTERED_FD_ONLY = 1 << 15;
    /** No SQ index array; SQEs are consumed in ring order (newer kernels). */
    public static final int IORING_SETUP_NO_SQARRAY = 1 << 16;

    // ---------------------------------------------------------------- io_uring_enter flags

    /** Wait for {@code min_complete} completions. */
    public static final int IORING_ENTER_GETEVENTS = 1;
    /** Wake the SQPOLL thread. */
    public static final int IORING_ENTER_SQ_WAKEUP = 1 << 1;
    /** Wait for SQ space (SQPOLL). */
    public static final int IORING_ENTER_SQ_WAIT = 1 << 2;
    /** The argument is an {@code io_uring_getevents_arg}. */
    public static final int IORING_ENTER_EXT_ARG = 1 << 3;
    /** The fd is a registered ring index. */
    public static final int IORING_ENTER_REGISTERED_RING = 1 << 4;

    // ---------------------------------------------------------------- io_uring_params.features

    /** SQ and CQ rings share one mmap. */
    public static final int IORING_FEAT_SINGLE_MMAP = 1;
    /** Overflowed CQEs are kept by the kernel, not dropped. */
    public static final int IORING_FEAT_NODROP = 1 << 1;
    /** SQE data is consumed at submit time. */
    public static final int IORING_FEAT_SUBMIT_STABLE = 1 << 2;
    /** Offset -1 means the current file position. */
    public static final int IORING_FEAT_RW_CUR_POS = 1 << 3;
    /** Requests run with the submitter's credentials. */
    public static final int IORING_FEAT_CUR_PERSONALITY = 1 << 4;
    /** Internal poll instead of worker threads for pollable files. */
    public static final int IORING_FEAT_FAST_POLL = 1 << 5;
    /** 32-bit poll masks. */
    public static final int IORING_FEAT_POLL_32BITS = 1 << 6;
    /** SQPOLL works without fixed files. */
    public static final int IORING_FEAT_SQPOLL_NONFIXED = 1 << 7;
    /** {@link #IORING_ENTER_EXT_ARG} is supported. */
    public static final int IORING_FEAT_EXT_ARG = 1 << 8;
    /** Async workers are native threads of the task. */
    public static final int IORING_FEAT_NATIVE_WORKERS = 1 << 9;
    /** Resource tags are supported. */
    public static final int IORING_FEAT_RSRC_TAGS = 1 << 10;
    /** {@link #IOSQE_CQE_SKIP_SUCCESS} is supported. */
    public static final int IORING_FEAT_CQE_SKIP = 1 << 11;
    /** Linked file assignment is deferred until execution. */
    public static final int IORING_FEAT_LINKED_FILE = 1 << 12;
    /** Registered ring fds may be used with register (newer kernels). */
    public static final int IORING_FEAT_REG_REG_RING = 1 << 13;

    // ---------------------------------------------------------------- opcodes

    /** No operation. */
    public static final int IORING_OP_NOP = 0;
    /** readv(2). */
    public static final int IORING_OP_READV = 1;
    /** writev(2). */
    public static final int IORING_OP_WRITEV = 2;
    /** fsync(2) / fdatasync(2). */
    public static final int IORING_OP_FSYNC = 3;
    /** Read into a registered buffer. */
    public static final int IORING_OP_READ_FIXED = 4;
    /** Write from a registered buffer. */
    public static final int IORING_OP_WRITE_FIXED = 5;
    /** One-shot (or multishot) poll. */
    public static final int IORING_OP_POLL_ADD = 6;
    /** Cancel a poll. */
    public static final int IORING_OP_POLL_REMOVE = 7;
    /** sync_file_range(2). */
    public static final int IORING_OP_SYNC_FILE_RANGE = 8;
    /** sendmsg(2). */
    public static final int IORING_OP_SENDMSG = 9;
    /** recvmsg(2). */
    public static final int IORING_OP_RECVMSG = 10;
    /** Timeout. */
    public static final int IORING_OP_TIMEOUT = 11;
    /** Remove or update a timeout. */
    public static final int IORING_OP_TIMEOUT_REMOVE = 12;
    /** accept4(2). */
    public static final int IORING_OP_ACCEPT = 13;
    /** Cancel a request. */
    public static final int IORING_OP_ASYNC_CANCEL = 14;
    /** Timeout for the previous linked request. */
    public static final int IORING_OP_LINK_TIMEOUT = 15;
    /** connect(2). */
    public static final int IORING_OP_CONNECT = 16;
    /** fallocate(2). */
    public static final int IORING_OP_FALLOCATE = 17;
    /** openat(2). */
    public static final int IORING_OP_OPENAT = 18;
    /** close(2). */
    public static final int IORING_OP_CLOSE = 19;
    /** Update registered files. */
    public static final int IORING_OP_FILES_UPDATE = 20;
    /** statx(2). */
    public static final int IORING_OP_STATX = 21;
    /** read(2)/pread(2). */
    public static final int IORING_OP_READ = 22;
    /** write(2)/pwrite(2). */
    public static final int IORING_OP_WRITE = 23;
    /** posix_fadvise(2). */
    public static final int IORING_OP_FADVISE = 24;
    /** madvise(2). */
    public static final int IORING_OP_MADVISE = 25;
    /** send(2). */
    public static final int IORING_OP_SEND = 26;
    /** recv(2). */
    public static final int IORING_OP_RECV = 27;
    /** openat2(2). */
    public static final int IORING_OP_OPENAT2 = 28;
    /** epoll_ctl(2). */
    public static final int IORING_OP_EPOLL_CTL = 29;
    /** splice(2). */
    public static final int IORING_OP_SPLICE = 30;
    /** Provide buffers to a group. */
    public static final int IORING_OP_PROVIDE_BUFFERS = 31;
    /** Remove buffers from a group. */
    public static final int IORING_OP_REMOVE_BUFFERS = 32;
    /** tee(2). */
    public static final int IORING_OP_TEE = 33;
    /** shutdown(2). */
    public static final int IORING_OP_SHUTDOWN = 34;
    /** renameat2(2). */
    public static final int IORING_OP_RENAMEAT = 35;
    /** unlinkat(2). */
    public static final int IORING_OP_UNLINKAT = 36;
    /** mkdirat(2). */
    public static final int IORING_OP_MKDIRAT = 37;
    /** symlinkat(2). */
    public static final int IORING_OP_SYMLINKAT = 38;
    /** linkat(2). */
    public static final int IORING_OP_LINKAT = 39;
    /** Post a CQE (or pass a file) to another ring. */
    public static final int IORING_OP_MSG_RING = 40;
    /** fsetxattr(2). */
    public static final int IORING_OP_FSETXATTR = 41;
    /** setxattr(2). */
    public static final int IORING_OP_SETXATTR = 42;
    /** fgetxattr(2). */
    public static final int IORING_OP_FGETXATTR = 43;
    /** getxattr(2). */
    public static final int IORING_OP_GETXATTR = 44;
    /** socket(2). */
    public static final int IORING_OP_SOCKET = 45;
    /** Driver command ({@code ->uring_cmd}); used for every ublk command. */
    public static final int IORING_OP_URING_CMD = 46;
    /** Zero-copy send. */
    public static final int IORING_OP_SEND_ZC = 47;
    /** Zero-copy sendmsg. */
    public static final int IORING_OP_SENDMSG_ZC = 48;
    /** readv into a registered buffer (newer kernels). */
    public static final int IORING_OP_READV_FIXED = 60;
    /** writev from a registered buffer (newer kernels). */
    public static final int IORING_OP_WRITEV_FIXED = 61;
    /** 128-byte driver command on an SQE_MIXED ring (newer kernels). */
    public static final int IORING_OP_URING_CMD128 = 64;

    // ---------------------------------------------------------------- sqe->flags

    /** {@code fd} is an index into the registered file table. */
    public static final int IOSQE_FIXED_FILE = 1;
    /** Start only after all earlier requests complete. */
    public static final int IOSQE_IO_DRAIN = 1 << 1;
    /** Link with the next SQE; a failure cancels the rest of the chain. */
    public static final int IOSQE_IO_LINK = 1 << 2;
    /** Link with the next SQE; the chain continues even on failure. */
    public static final int IOSQE_IO_HARDLINK = 1 << 3;
    /** Always go async (io-wq). */
    public static final int IOSQE_ASYNC = 1 << 4;
    /** Select a buffer from group {@code buf_group}. */
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    /** Post no CQE if the request succeeds. */
    public static final int IOSQE_CQE_SKIP_SUCCESS = 1 << 6;

    // ---------------------------------------------------------------- cqe->flags

    /** The upper 16 bits of the flags hold the selected buffer id. */
    public static final int IORING_CQE_F_BUFFER = 1;
    /** More CQEs will follow for this request (multishot). */
    public static final int IORING_CQE_F_MORE = 1 << 1;
    /** The socket has more data. */
    public static final int IORING_CQE_F_SOCK_NONEMPTY = 1 << 2;
    /** Zero-copy notification CQE. */
    public static final int IORING_CQE_F_NOTIF = 1 << 3;
    /** Shift of the buffer id in the CQE flags. */
    public static final int IORING_CQE_BUFFER_SHIFT = 16;

    // ---------------------------------------------------------------- sq_ring->flags, cq_ring->flags

    /** SQPOLL thread sleeps; enter with {@link #IORING_ENTER_SQ_WAKEUP}. */
    public static final int IORING_SQ_NEED_WAKEUP = 1;
    /** CQEs overflowed into the kernel's list; enter with GETEVENTS to flush them. */
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    /** Task work is pending; enter to run it. */
    public static final int IORING_SQ_TASKRUN = 1 << 2;
    /** cq_ring->flags: do not signal the registered eventfd. */
    public static final int IORING_CQ_EVENTFD_DISABLED = 1;

    // ---------------------------------------------------------------- per-op flags

    /** uring_cmd_flags: use the registered buffer at {@code buf_index}. */
    public static final int IORING_URING_CMD_FIXED = 1;
    /** uring_cmd_flags: multishot command (newer kernels). */
    public static final int IORING_URING_CMD_MULTISHOT = 1 << 1;
    /** fsync_flags: fdatasync semantics. */
    public static final int IORING_FSYNC_DATASYNC = 1;
    /** timeout_flags: absolute time. */
    public static final int IORING_TIMEOUT_ABS = 1;
    /** timeout_flags: update an existing timeout. */
    public static final int IORING_TIMEOUT_UPDATE = 1 << 1;
    /** timeout_flags: CLOCK_BOOTTIME. */
    public static final int IORING_TIMEOUT_BOOTTIME = 1 << 2;
    /** timeout_flags: CLOCK_REALTIME. */
    public static final int IORING_TIMEOUT_REALTIME = 1 << 3;
    /** timeout_flags: update a link timeout. */
    public static final int IORING_LINK_TIMEOUT_UPDATE = 1 << 4;
    /** timeout_flags: report expiry as success rather than {@code -ETIME}. */
    public static final int IORING_TIMEOUT_ETIME_SUCCESS = 1 << 5;
    /** poll flags (in {@code len}): multishot poll. */
    public static final int IORING_POLL_ADD_MULTI = 1;
    /** MSG_RING command (in {@code addr}): post {@code len} as res and {@code off} as user_data. */
    public static final int IORING_MSG_DATA = 0;
    /** MSG_RING command (in {@code addr}): pass a registered file. */
    public static final int IORING_MSG_SEND_FD = 1;
    /** msg_ring_flags: post no CQE on the target ring. */
    public static final int IORING_MSG_RING_CQE_SKIP = 1;

    // ---------------------------------------------------------------- io_uring_register opcodes

    /** Register fixed buffers (iovec array). */
    public static final int IORING_REGISTER_BUFFERS = 0;
    /** Unregister fixed buffers. */
    public static final int IORING_UNREGISTER_BUFFERS = 1;
    /** Register fixed files (int array). */
    public static final int IORING_REGISTER_FILES = 2;
    /** Unregister fixed files. */
    public static final int IORING_UNREGISTER_FILES = 3;
    /** Register an eventfd signalled on completions. */
    public static final int IORING_REGISTER_EVENTFD = 4;
    /** Unregister the eventfd. */
    public static final int IORING_UNREGISTER_EVENTFD = 5;
    /** Update registered files. */
    public static final int IORING_REGISTER_FILES_UPDATE = 6;
    /** Register an eventfd signalled only for async completions. */
    public static final int IORING_REGISTER_EVENTFD_ASYNC = 7;
    /** Probe supported opcodes. */
    public static final int IORING_REGISTER_PROBE = 8;
    /** Register a personality (credentials). */
    public static final int IORING_REGISTER_PERSONALITY = 9;
    /** Unregister a personality. */
    public static final int IORING_UNREGISTER_PERSONALITY = 10;
    /** Restrict allowed operations. */
    public static final int IORING_REGISTER_RESTRICTIONS = 11;
    /** Enable a ring created with {@link #IORING_SETUP_R_DISABLED}. */
    public static final int IORING_REGISTER_ENABLE_RINGS = 12;
    /** Register files with an {@code io_uring_rsrc_register}. */
    public static final int IORING_REGISTER_FILES2 = 13;
    /** Update files with an {@code io_uring_rsrc_update2}. */
    public static final int IORING_REGISTER_FILES_UPDATE2 = 14;
    /** Register buffers with an {@code io_uring_rsrc_register} (supports sparse tables). */
    public static final int IORING_REGISTER_BUFFERS2 = 15;
    /** Update buffers with an {@code io_uring_rsrc_update2}. */
    public static final int IORING_REGISTER_BUFFERS_UPDATE = 16;
    /** Set io-wq CPU affinity. */
    public static final int IORING_REGISTER_IOWQ_AFF = 17;
    /** Clear io-wq CPU affinity. */
    public static final int IORING_UNREGISTER_IOWQ_AFF = 18;
    /** Set/get the io-wq worker limits. */
    public static final int IORING_REGISTER_IOWQ_MAX_WORKERS = 19;
    /** Register ring fds for {@link #IORING_ENTER_REGISTERED_RING}. */
    public static final int IORING_REGISTER_RING_FDS = 20;
    /** Unregister ring fds. */
    public static final int IORING_UNREGISTER_RING_FDS = 21;
    /** Register a provided-buffer ring. */
    public static final int IORING_REGISTER_PBUF_RING = 22;
    /** Unregister a provided-buffer ring. */
    public static final int IORING_UNREGISTER_PBUF_RING = 23;
    /** Synchronous cancel. */
    public static final int IORING_REGISTER_SYNC_CANCEL = 24;
    /** Range for automatic fixed-file slot allocation. */
    public static final int IORING_REGISTER_FILE_ALLOC_RANGE = 25;
    /** Clone another ring's buffer table (newer kernels). */
    public static final int IORING_REGISTER_CLONE_BUFFERS = 30;
    /** {@code io_uring_rsrc_register.flags}: create an empty (sparse) table of {@code nr} slots. */
    public static final int IORING_RSRC_REGISTER_SPARSE = 1;

    // ---------------------------------------------------------------- mmap offsets

    /** mmap offset of the SQ ring (and, with SINGLE_MMAP, the CQ ring). */
    public static final long IORING_OFF_SQ_RING = 0L;
    /** mmap offset of the CQ ring. */
    public static final long IORING_OFF_CQ_RING = 0x8000000L;
    /** mmap offset of the SQE array. */
    public static final long IORING_OFF_SQES = 0x10000000L;

    // ---------------------------------------------------------------- struct io_uring_sqe

    /** Size of a normal SQE. */
    public static final int IO_URING_SQE_SIZE = 64;
    /** Size of an SQE on an {@link #IORING_SETUP_SQE128} ring. */
    public static final int IO_URING_SQE128_SIZE = 128;
    /** {@code __u8 opcode}. */
    public static final int IO_URING_SQE_OPCODE_OFFSET = 0;
    /** {@code __u8 flags} (IOSQE_*). */
    public static final int IO_URING_SQE_FLAGS_OFFSET = 1;
    /** {@code __u16 ioprio}. */
    public static final int IO_URING_SQE_IOPRIO_OFFSET = 2;
    /** {@code __s32 fd}. */
    public static final int IO_URING_SQE_FD_OFFSET = 4;
    /** {@code __u64 off} (union with {@code addr2}). */
    public static final int IO_URING_SQE_OFF_OFFSET = 8;
    /** {@code __u64 addr2} (union with {@code off}). */
    public static final int IO_URING_SQE_ADDR2_OFFSET = 8;
    /** {@code __u32 cmd_op} (union with the low half of {@code off}). */
    public static final int IO_URING_SQE_CMD_OP_OFFSET = 8;
    /** {@code __u64 addr} (union with {@code splice_off_in}). */
    public static final int IO_URING_SQE_ADDR_OFFSET = 16;
    /** {@code __u32 len}. */
    public static final int IO_URING_SQE_LEN_OFFSET = 24;
    /** {@code __u32 rw_flags} and its union siblings (fsync_flags, poll32_events, timeout_flags, ...). */
    public static final int IO_URING_SQE_RW_FLAGS_OFFSET = 28;
    /** {@code __u32 uring_cmd_flags} (union with {@code rw_flags}). */
    public static final int IO_URING_SQE_URING_CMD_FLAGS_OFFSET = 28;
    /** {@code __u64 user_data}. */
    public static final int IO_URING_SQE_USER_DATA_OFFSET = 32;
    /** {@code __u16 buf_index} (union with {@code buf_group}). */
    public static final int IO_URING_SQE_BUF_INDEX_OFFSET = 40;
    /** {@code __u16 personality}. */
    public static final int IO_URING_SQE_PERSONALITY_OFFSET = 42;
    /** {@code __u32 file_index} (union with {@code splice_fd_in}). */
    public static final int IO_URING_SQE_FILE_INDEX_OFFSET = 44;
    /** {@code __u64 addr3}. */
    public static final int IO_URING_SQE_ADDR3_OFFSET = 48;
    /** {@code __u8 cmd[]}: 16 bytes in a 64-byte SQE, 80 in a 128-byte SQE. */
    public static final int IO_URING_SQE_CMD_OFFSET = 48;

    // ---------------------------------------------------------------- struct io_uring_cqe

    /** Size of a normal CQE. */
    public static final int IO_URING_CQE_SIZE = 16;
    /** Size of a CQE on an {@link #IORING_SETUP_CQE32} ring. */
    public static final int IO_URING_CQE32_SIZE = 32;
    /** {@code __u64 user_data}. */
    public static final int IO_URING_CQE_USER_DATA_OFFSET = 0;
    /** {@code __s32 res}. */
    public static final int IO_URING_CQE_RES_OFFSET = 8;
    /** {@code __u32 flags}. */
    public static final int IO_URING_CQE_FLAGS_OFFSET = 12;

    // ---------------------------------------------------------------- struct io_uring_params

    /** Size of {@code io_uring_params}. */
    public static final int IO_URING_PARAMS_SIZE = 120;
    /** {@code sq_entries}. */
    public static final int IO_URING_PARAMS_SQ_ENTRIES_OFFSET = 0;
    /** {@code cq_entries}. */
    public static final int IO_URING_PARAMS_CQ_ENTRIES_OFFSET = 4;
    /** {@code flags}. */
    public static final int IO_URING_PARAMS_FLAGS_OFFSET = 8;
    /** {@code sq_thread_cpu}. */
    public static final int IO_URING_PARAMS_SQ_THREAD_CPU_OFFSET = 12;
    /** {@code sq_thread_idle}. */
    public static final int IO_URING_PARAMS_SQ_THREAD_IDLE_OFFSET = 16;
    /** {@code features}. */
    public static final int IO_URING_PARAMS_FEATURES_OFFSET = 20;
    /** {@code wq_fd}. */
    public static final int IO_URING_PARAMS_WQ_FD_OFFSET = 24;
    /** {@code struct io_sqring_offsets sq_off}. */
    public static final int IO_URING_PARAMS_SQ_OFF_OFFSET = 40;
    /** {@code struct io_cqring_offsets cq_off}. */
    public static final int IO_URING_PARAMS_CQ_OFF_OFFSET = 80;

    /** io_sqring_offsets {@code head}. */
    public static final int IO_SQRING_OFFSETS_HEAD = 0;
    /** io_sqring_offsets {@code tail}. */
    public static final int IO_SQRING_OFFSETS_TAIL = 4;
    /** io_sqring_offsets {@code ring_mask}. */
    public static final int IO_SQRING_OFFSETS_RING_MASK = 8;
    /** io_sqring_offsets {@code ring_entries}. */
    public static final int IO_SQRING_OFFSETS_RING_ENTRIES = 12;
    /** io_sqring_offsets {@code flags}. */
    public static final int IO_SQRING_OFFSETS_FLAGS = 16;
    /** io_sqring_offsets {@code dropped}. */
    public static final int IO_SQRING_OFFSETS_DROPPED = 20;
    /** io_sqring_offsets {@code array}. */
    public static final int IO_SQRING_OFFSETS_ARRAY = 24;

    /** io_cqring_offsets {@code head}. */
    public static final int IO_CQRING_OFFSETS_HEAD = 0;
    /** io_cqring_offsets {@code tail}. */
    public static final int IO_CQRING_OFFSETS_TAIL = 4;
    /** io_cqring_offsets {@code ring_mask}. */
    public static final int IO_CQRING_OFFSETS_RING_MASK = 8;
    /** io_cqring_offsets {@code ring_entries}. */
    public static final int IO_CQRING_OFFSETS_RING_ENTRIES = 12;
    /** io_cqring_offsets {@code overflow}. */
    public static final int IO_CQRING_OFFSETS_OVERFLOW = 16;
    /** io_cqring_offsets {@code cqes}. */
    public static final int IO_CQRING_OFFSETS_CQES = 20;
    /** io_cqring_offsets {@code flags}. */
    public static final int IO_CQRING_OFFSETS_FLAGS = 24;

    // ---------------------------------------------------------------- other argument structs

    /** Size of {@code io_uring_getevents_arg} (sigmask u64, sigmask_sz u32, pad u32, ts u64). */
    public static final int IO_URING_GETEVENTS_ARG_SIZE = 24;
    /** Size of {@code io_uring_rsrc_register} (nr u32, flags u32, resv2 u64, data u64, tags u64). */
    public static final int IO_URING_RSRC_REGISTER_SIZE = 32;
    /** Size of {@code struct io_uring_buf_reg}, the argument of {@link #IORING_REGISTER_PBUF_RING}. */
    public static final int IO_URING_BUF_REG_SIZE = 40;
    /** Size of {@code __kernel_timespec} (tv_sec s64, tv_nsec s64). */
    public static final int KERNEL_TIMESPEC_SIZE = 16;
}
