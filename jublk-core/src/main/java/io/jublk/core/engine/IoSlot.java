// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.UblkQueue;
import io.jublk.core.spi.QueueHandler;
import io.jublk.core.spi.UblkIo;
import io.jublk.core.uapi.UblkCmd;
import io.jublk.core.uapi.UblkIoOp;
import io.jublk.uring.ErrnoException;
import io.jublk.uring.sys.FileCalls;

import java.lang.foreign.MemorySegment;

/** The engine's side of a request slot: it loads the descriptor and sets where the data is. */
final class IoSlot extends UblkIo {
    private final QueueEngine engine;
    private final long userCopyBase;
    private final int charFd;

    IoSlot(UblkQueue queue, QueueEngine engine, int qid, int tag, int charFd) {
        super(queue, tag);
        this.engine = engine;
        this.charFd = charFd;
        this.userCopyBase = UblkCmd.userCopyOffset(qid, tag, 0);
    }

    void load(int opFlags, long startSector, int nrSectors, boolean zeroCopy) {
        this.opFlags = opFlags;
        this.offset = startSector << 9;
        this.length = nrSectors << 9;
        int op = opFlags & 0xff;
        this.bufferIndex = zeroCopy && (op == UblkIoOp.UBLK_IO_OP_READ || op == UblkIoOp.UBLK_IO_OP_WRITE) ? tag() : -1;
    }

    MemorySegment dataBuffer() {
        return buffer;
    }

    void dataBuffer(MemorySegment segment) {
        this.buffer = segment;
    }

    long inPlace() {
        return inPlaceAddress;
    }

    void inPlace(long address) {
        this.inPlaceAddress = address;
    }

    @Override
    protected int userCopy(boolean toRequest, long address, long requestOffset, int len) {
        long position = userCopyBase + requestOffset;
        long done = 0;
        try {
            while (done < len) {
                long n = toRequest
                        ? FileCalls.pwrite(charFd, address + done, len - done, position + done)
                        : FileCalls.pread(charFd, address + done, len - done, position + done);
                if (n <= 0) {
                    return QueueHandler.EIO;
                }
                done += n;
            }
        } catch (ErrnoException e) {
            return -e.errnoValue();
        }
        return len;
    }

    @Override
    public void complete(int result) {
        engine.complete(tag(), result);
    }
}
