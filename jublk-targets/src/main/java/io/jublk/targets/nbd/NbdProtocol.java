// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

/** Wire constants of the NBD protocol (the NetworkBlockDevice project's proto.md). */
final class NbdProtocol {
    private NbdProtocol() {
    }

    static final long NBDMAGIC = 0x4e42444d41474943L; // "NBDMAGIC"
    static final long IHAVEOPT = 0x49484156454F5054L; // "IHAVEOPT"
    static final long OPTION_REPLY_MAGIC = 0x0003e889045565a9L;
    static final int REQUEST_MAGIC = 0x25609513;
    static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;

    // Handshake flags (server, 16 bits) and client flags (32 bits).
    static final int FLAG_FIXED_NEWSTYLE = 1;
    static final int FLAG_NO_ZEROES = 1 << 1;

    // Options.
    static final int OPT_EXPORT_NAME = 1;
    static final int OPT_ABORT = 2;
    static final int OPT_GO = 7;
    static final int OPT_STRUCTURED_REPLY = 8;

    // Option reply types.
    static final int REP_ACK = 1;
    static final int REP_INFO = 3;
    static final int REP_ERR_BIT = 1 << 31;
    static final int REP_ERR_UNSUP = REP_ERR_BIT | 1;
    static final int REP_ERR_POLICY = REP_ERR_BIT | 2;
    static final int REP_ERR_INVALID = REP_ERR_BIT | 3;
    static final int REP_ERR_PLATFORM = REP_ERR_BIT | 4;
    static final int REP_ERR_TLS_REQD = REP_ERR_BIT | 5;
    static final int REP_ERR_UNKNOWN = REP_ERR_BIT | 6;
    static final int REP_ERR_SHUTDOWN = REP_ERR_BIT | 7;
    static final int REP_ERR_BLOCK_SIZE_REQD = REP_ERR_BIT | 8;
    static final int REP_ERR_TOO_BIG = REP_ERR_BIT | 9;

    // NBD_OPT_INFO / NBD_OPT_GO information types.
    static final int INFO_EXPORT = 0;
    static final int INFO_BLOCK_SIZE = 3;

    // Command types.
    static final int CMD_READ = 0;
    static final int CMD_WRITE = 1;
    static final int CMD_DISC = 2;
    static final int CMD_FLUSH = 3;
    static final int CMD_TRIM = 4;
    static final int CMD_WRITE_ZEROES = 6;

    // Structured reply flags and chunk types.
    static final int REPLY_FLAG_DONE = 1;
    static final int REPLY_TYPE_NONE = 0;
    static final int REPLY_TYPE_OFFSET_DATA = 1;
    static final int REPLY_TYPE_OFFSET_HOLE = 2;
    static final int REPLY_TYPE_ERROR_BIT = 1 << 15;
    static final int REPLY_TYPE_ERROR = REPLY_TYPE_ERROR_BIT | 1;
    static final int REPLY_TYPE_ERROR_OFFSET = REPLY_TYPE_ERROR_BIT | 2;

    // Errors (the protocol uses Linux errno values).
    static final int EIO = 5;
    static final int ESHUTDOWN = 108;

    static String optionReplyName(int type) {
        return switch (type) {
            case REP_ACK -> "NBD_REP_ACK";
            case REP_INFO -> "NBD_REP_INFO";
            case REP_ERR_UNSUP -> "NBD_REP_ERR_UNSUP";
            case REP_ERR_POLICY -> "NBD_REP_ERR_POLICY";
            case REP_ERR_INVALID -> "NBD_REP_ERR_INVALID";
            case REP_ERR_PLATFORM -> "NBD_REP_ERR_PLATFORM";
            case REP_ERR_TLS_REQD -> "NBD_REP_ERR_TLS_REQD";
            case REP_ERR_UNKNOWN -> "NBD_REP_ERR_UNKNOWN";
            case REP_ERR_SHUTDOWN -> "NBD_REP_ERR_SHUTDOWN";
            case REP_ERR_BLOCK_SIZE_REQD -> "NBD_REP_ERR_BLOCK_SIZE_REQD";
            case REP_ERR_TOO_BIG -> "NBD_REP_ERR_TOO_BIG";
            default -> String.format("reply type 0x%08x", type);
        };
    }
}
