// SPDX-License-Identifier: Apache-2.0
package io.jublk.targets.nbd;

import static io.jublk.targets.nbd.NbdConnection.CMD_FLAG_DF;
import static io.jublk.targets.nbd.NbdConnection.CMD_FLAG_FUA;
import static io.jublk.targets.nbd.NbdConnection.CMD_FLAG_NO_HOLE;
import static io.jublk.targets.nbd.NbdConnection.FLAG_SEND_DF;
import static io.jublk.targets.nbd.NbdConnection.FLAG_SEND_FLUSH;
import static io.jublk.targets.nbd.NbdConnection.FLAG_SEND_FUA;
import static io.jublk.targets.nbd.NbdConnection.FLAG_SEND_TRIM;
import static io.jublk.targets.nbd.NbdConnection.FLAG_SEND_WRITE_ZEROES;

import io.jublk.targets.nbd.NbdConnection.Command;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An export as the handshake negotiated it, and the requests it can take.
 *
 * @param size               bytes
 * @param flags              transmission flags (NbdConnection.FLAG_*)
 * @param structuredReplies  whether the server agreed to structured replies
 * @param minBlockSize       NBD_INFO_BLOCK_SIZE minimum, or 1
 * @param preferredBlockSize NBD_INFO_BLOCK_SIZE preferred, or 4096
 * @param maxBlockSize       NBD_INFO_BLOCK_SIZE maximum payload (unsigned), or 32 MiB
 */
record NbdExport(long size, int flags, boolean structuredReplies, int minBlockSize, int preferredBlockSize,
                 int maxBlockSize) {

    /** Whether the transmission flags include {@code flag}. */
    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    boolean canDf() {
        return structuredReplies && has(FLAG_SEND_DF);
    }

    long maxPayload() {
        return Integer.toUnsignedLong(maxBlockSize);
    }

    /**
     * Checks a request against the protocol and the export's limits.
     *
     * @return the request's wire length
     * @throws IllegalArgumentException when it is malformed or uses a feature the server did not advertise
     */
    long check(Command command, long offset, long length, MemorySegment data, int cmdFlags) {
        Objects.requireNonNull(command, "command");
        if (length < 0 || length > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("length " + length + " does not fit in 32 bits");
        }
        if (offset < 0 && command != Command.FLUSH) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        if ((cmdFlags & ~(CMD_FLAG_FUA | CMD_FLAG_NO_HOLE | CMD_FLAG_DF)) != 0) {
            throw new IllegalArgumentException("unsupported command flags 0x" + Integer.toHexString(cmdFlags));
        }
        if ((cmdFlags & CMD_FLAG_FUA) != 0 && !has(FLAG_SEND_FUA)) {
            throw new IllegalArgumentException("the server does not support FUA");
        }
        if ((cmdFlags & CMD_FLAG_DF) != 0 && (command != Command.READ || !canDf())) {
            throw new IllegalArgumentException("DF is only for READ on a server offering it with structured replies");
        }
        if ((cmdFlags & CMD_FLAG_NO_HOLE) != 0 && command != Command.WRITE_ZEROES) {
            throw new IllegalArgumentException("NO_HOLE is only for WRITE_ZEROES");
        }
        switch (command) {
            case FLUSH -> {
                requireFlag(FLAG_SEND_FLUSH, "FLUSH");
                return 0;
            }
            case TRIM -> requireFlag(FLAG_SEND_TRIM, "TRIM");
            case WRITE_ZEROES -> requireFlag(FLAG_SEND_WRITE_ZEROES, "WRITE_ZEROES");
            default -> {
            }
        }
        if (((offset | length) & (minBlockSize - 1)) != 0) {
            throw new IllegalArgumentException("offset " + offset + " and length " + length
                    + " must be multiples of the server's minimum block size " + minBlockSize);
        }
        if (command.carriesData()) {
            if (length > maxPayload()) {
                throw new IllegalArgumentException("length " + length + " exceeds the server's maximum payload "
                        + maxPayload());
            }
            Objects.requireNonNull(data, "data");
            if (data.byteSize() < length) {
                throw new IllegalArgumentException("data holds " + data.byteSize() + " bytes, less than length " + length);
            }
        }
        return length;
    }

    private void requireFlag(int flag, String command) {
        if (!has(flag)) {
            throw new IllegalArgumentException("the server does not support " + command);
        }
    }
}
