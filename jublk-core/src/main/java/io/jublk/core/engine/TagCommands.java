// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.engine;

import io.jublk.core.uapi.UblkCmd;

/**
 * The per-tag protocol every ublk kernel has: a FETCH_REQ per tag at start, then a
 * COMMIT_AND_FETCH_REQ per request that gives its result and takes the tag's next request.
 */
final class TagCommands extends IoCommands {
    private DataPath path;

    TagCommands(QueueEngine engine, int qid) {
        super(engine, qid);
    }

    @Override
    String prepareCommand() {
        return "UBLK_U_IO_FETCH_REQ";
    }

    @Override
    void prepare(IoSlot[] slots, DataPath path) {
        this.path = path;
        for (IoSlot slot : slots) {
            queue(UblkCmd.UBLK_U_IO_FETCH_REQ, slot.tag(), 0, path.fetchAddress(slot));
        }
    }

    @Override
    void commit(int tag, int result, long address) {
        queue(UblkCmd.UBLK_U_IO_COMMIT_AND_FETCH_REQ, tag, result, address);
    }

    @Override
    void getData(int tag, long place) {
        queue(UblkCmd.UBLK_U_IO_NEED_GET_DATA, tag, 0, place);
    }

    private void queue(int cmdOp, int tag, int result, long address) {
        path.onIoCommand(queueIoCommand(cmdOp, tag, result, address, UserData.of(UserData.KIND_IO_CMD, tag)), tag);
    }
}
