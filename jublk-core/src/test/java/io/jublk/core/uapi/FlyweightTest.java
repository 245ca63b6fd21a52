// SPDX-License-Identifier: Apache-2.0
package io.jublk.core.uapi;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Round trips of every flyweight on native memory, and its offsets against the kernel's (x86_64/arm64). */
class FlyweightTest {

    /** Flyweights are wrapped at this offset into a larger segment, to catch accessors that ignore it. */
    private static final long AT = 64;

    private Arena arena;
    private MemorySegment mem;

    @BeforeEach
    void allocate() {
        arena = Arena.ofConfined();
        mem = arena.allocate(512, 8);
        mem.fill((byte) 0x5A);
    }

    @AfterEach
    void free() {
        arena.close();
    }

    /** Asserts the bytes before and after the struct were not touched. */
    private void assertOutsideUntouched(long size) {
        for (long i = 0; i < mem.byteSize(); i++) {
            if (i < AT || i >= AT + size) {
                assertEquals((byte) 0x5A, mem.get(JAVA_BYTE, i), "byte " + i);
            }
        }
    }

    @Test
    void shouldRoundTripCtrlCmd() {
        CtrlCmdFlyweight cmd = new CtrlCmdFlyweight().wrap(mem, AT).clear()
                .devId(CtrlCmdFlyweight.DEV_ID_ANY)
                .queueId(CtrlCmdFlyweight.QUEUE_ID_NONE)
                .len(64)
                .addr(0x7f00_1234_5678L)
                .data(4242)
                .devPathLen(0xFFFE);
        assertEquals(32, CtrlCmdFlyweight.SIZE);
        assertEquals(-1, cmd.devId());
        assertEquals(0xFFFF, cmd.queueId());
        assertEquals(64, cmd.len());
        assertEquals(0x7f00_1234_5678L, cmd.addr());
        assertEquals(4242, cmd.data());
        assertEquals(0xFFFE, cmd.devPathLen());
        assertEquals(-1, mem.get(JAVA_INT, AT));
        assertEquals((short) -1, mem.get(JAVA_SHORT, AT + 4));
        assertEquals(64, mem.get(JAVA_SHORT, AT + 6));
        assertEquals(0x7f00_1234_5678L, mem.get(JAVA_LONG, AT + 8));
        assertEquals(4242, mem.get(JAVA_LONG, AT + 16));
        assertEquals((short) 0xFFFE, mem.get(JAVA_SHORT, AT + 24));
        assertEquals(0, mem.get(JAVA_SHORT, AT + 26));
        assertEquals(0, mem.get(JAVA_INT, AT + 28));
        assertSame(mem, cmd.segment());
        assertEquals(AT, cmd.offset());
        assertOutsideUntouched(CtrlCmdFlyweight.SIZE);
    }

    @Test
    void shouldRoundTripDevInfo() {
        DevInfoFlyweight info = new DevInfoFlyweight().wrap(mem, AT).clear()
                .nrHwQueues(4096)
                .queueDepth(0xFFFF)
                .state(UblkCmd.UBLK_S_DEV_LIVE)
                .maxIoBufBytes(0x8000_0000)
                .devId(7)
                .ublksrvPid(-1)
                .flags(UblkFeature.UBLK_F_USER_COPY | 1L << 63)
                .ublksrvFlags(0xDEAD_BEEF_0000_0001L)
                .ownerUid(1000)
                .ownerGid(-2);
        assertEquals(64, DevInfoFlyweight.SIZE);
        assertEquals(4096, info.nrHwQueues());
        assertEquals(0xFFFF, info.queueDepth());
        assertEquals(UblkCmd.UBLK_S_DEV_LIVE, info.state());
        assertEquals(0x8000_0000, info.maxIoBufBytes());
        assertEquals(7, info.devId());
        assertEquals(-1, info.ublksrvPid());
        assertEquals(UblkFeature.UBLK_F_USER_COPY | 1L << 63, info.flags());
        assertEquals(0xDEAD_BEEF_0000_0001L, info.ublksrvFlags());
        assertEquals(1000, info.ownerUid());
        assertEquals(-2, info.ownerGid());
        assertEquals(4096, mem.get(JAVA_SHORT, AT));
        assertEquals(7, mem.get(JAVA_INT, AT + 12));
        assertEquals(-1, mem.get(JAVA_INT, AT + 16));
        assertEquals(UblkFeature.UBLK_F_USER_COPY | 1L << 63, mem.get(JAVA_LONG, AT + 24));
        assertEquals(1000, mem.get(JAVA_INT, AT + 40));
        assertEquals(0, mem.get(JAVA_LONG, AT + 48));
        assertEquals(0, mem.get(JAVA_LONG, AT + 56));
        assertOutsideUntouched(DevInfoFlyweight.SIZE);
    }

    @Test
    void shouldReadIoDescsByTagWithoutWriting() {
        int depth = 4;
        MemorySegment iods = arena.allocate(depth * IoDescFlyweight.SIZE, 8);
        for (int tag = 0; tag < depth; tag++) {
            long base = tag * 24L;
            iods.set(JAVA_INT, base, UblkIoOp.UBLK_IO_OP_WRITE | UblkIoOp.UBLK_IO_F_FUA | tag << 20);
            iods.set(JAVA_INT, base + 4, 0x8000_0000 + tag);
            iods.set(JAVA_LONG, base + 8, 1L << 40 | tag);
            iods.set(JAVA_LONG, base + 16, 0x7000_0000_0000L + tag);
        }
        IoDescFlyweight iod = new IoDescFlyweight();
        for (int tag = 0; tag < depth; tag++) {
            assertSame(iod, iod.wrapTag(iods, tag));
            assertEquals(tag * 24L, iod.offset());
            assertEquals(UblkIoOp.UBLK_IO_OP_WRITE, iod.op());
            assertEquals(UblkIoOp.UBLK_IO_F_FUA | tag << 20, iod.flags());
            assertEquals(UblkIoOp.UBLK_IO_OP_WRITE | UblkIoOp.UBLK_IO_F_FUA | tag << 20, iod.opFlags());
            assertEquals(0x8000_0000 + tag, iod.nrSectors());
            assertEquals(iod.nrSectors(), iod.nrZones());
            assertEquals((0x8000_0000L + tag) << 9, iod.byteLength());
            assertEquals(1L << 40 | tag, iod.startSector());
            assertEquals(0x7000_0000_0000L + tag, iod.addr());
        }
        assertEquals(24, IoDescFlyweight.SIZE);
        assertEquals(4, IoDescFlyweight.NR_SECTORS_OFFSET);
        assertEquals(4, IoDescFlyweight.NR_ZONES_OFFSET);
        assertThrows(IndexOutOfBoundsException.class, () -> iod.wrapTag(iods, depth).opFlags());
    }

    @Test
    void shouldRoundTripIoCmd() {
        IoCmdFlyweight cmd = new IoCmdFlyweight().wrap(mem, AT).clear()
                .qId(4095).tag(0xFFFF).result(-5).addr(0x1234_5678_9ABCL);
        assertEquals(16, IoCmdFlyweight.SIZE);
        assertEquals(4095, cmd.qId());
        assertEquals(0xFFFF, cmd.tag());
        assertEquals(-5, cmd.result());
        assertEquals(0x1234_5678_9ABCL, cmd.addr());
        assertEquals(0x1234_5678_9ABCL, cmd.zoneAppendLba());
        cmd.zoneAppendLba(99);
        assertEquals(99, cmd.addr());
        assertEquals(4095, mem.get(JAVA_SHORT, AT));
        assertEquals((short) 0xFFFF, mem.get(JAVA_SHORT, AT + 2));
        assertEquals(-5, mem.get(JAVA_INT, AT + 4));
        assertEquals(99, mem.get(JAVA_LONG, AT + 8));
        assertOutsideUntouched(IoCmdFlyweight.SIZE);
    }

    @Test
    void shouldRoundTripParams() {
        ParamsFlyweight p = new ParamsFlyweight().wrap(mem, AT).reset()
                .addTypes(UblkCmd.UBLK_PARAM_TYPE_BASIC)
                .basicAttrs(UblkCmd.UBLK_ATTR_VOLATILE_CACHE | UblkCmd.UBLK_ATTR_FUA)
                .basicLogicalBsShift(9)
                .basicPhysicalBsShift(12)
                .basicIoOptShift(16)
                .basicIoMinShift(12)
                .basicMaxSectors(1024)
                .basicChunkSectors(0)
                .basicDevSectors(1L << 33)
                .basicVirtBoundaryMask(4095)
                .addTypes(UblkCmd.UBLK_PARAM_TYPE_DISCARD)
                .discardAlignment(0)
                .discardGranularity(4096)
                .discardMaxDiscardSectors(0xFFFF_FFFF)
                .discardMaxWriteZeroesSectors(2048)
                .discardMaxDiscardSegments(1)
                .addTypes(UblkCmd.UBLK_PARAM_TYPE_ZONED | UblkCmd.UBLK_PARAM_TYPE_DMA_ALIGN)
                .dmaAlignment(511)
                .addTypes(UblkCmd.UBLK_PARAM_TYPE_SEGMENT | UblkCmd.UBLK_PARAM_TYPE_INTEGRITY);
        p.zoned().maxOpenZones(14).maxActiveZones(15).maxZoneAppendSectors(256);
        p.seg().segBoundaryMask(0xFFFF_FFFFL).maxSegmentSize(65536).maxSegments(0xFFFF);
        p.integrity().flags(3).maxIntegritySegments(0x8001).intervalExp(12).metadataSize(0xFF).piOffset(8)
                .csumType(2).tagSize(4);
        assertEquals(152, ParamsFlyweight.SIZE);
        assertEquals(152, p.len());
        assertEquals(0b111_1011, p.types());
        assertEquals(UblkCmd.UBLK_ATTR_VOLATILE_CACHE | UblkCmd.UBLK_ATTR_FUA, p.basicAttrs());
        assertEquals(9, p.basicLogicalBsShift());
        assertEquals(12, p.basicPhysicalBsShift());
        assertEquals(16, p.basicIoOptShift());
        assertEquals(12, p.basicIoMinShift());
        assertEquals(1024, p.basicMaxSectors());
        assertEquals(0, p.basicChunkSectors());
        assertEquals(1L << 33, p.basicDevSectors());
        assertEquals(4095, p.basicVirtBoundaryMask());
        assertEquals(0, p.discardAlignment());
        assertEquals(4096, p.discardGranularity());
        assertEquals(0xFFFF_FFFF, p.discardMaxDiscardSectors());
        assertEquals(2048, p.discardMaxWriteZeroesSectors());
        assertEquals(1, p.discardMaxDiscardSegments());
        assertEquals(14, p.zoned().maxOpenZones());
        assertEquals(15, p.zoned().maxActiveZones());
        assertEquals(256, p.zoned().maxZoneAppendSectors());
        assertEquals(511, p.dmaAlignment());
        assertEquals(0xFFFF_FFFFL, p.seg().segBoundaryMask());
        assertEquals(65536, p.seg().maxSegmentSize());
        assertEquals(0xFFFF, p.seg().maxSegments());
        assertEquals(3, p.integrity().flags());
        assertEquals(0x8001, p.integrity().maxIntegritySegments());
        assertEquals(12, p.integrity().intervalExp());
        assertEquals(0xFF, p.integrity().metadataSize());
        assertEquals(8, p.integrity().piOffset());
        assertEquals(2, p.integrity().csumType());
        assertEquals(4, p.integrity().tagSize());

        // Spot checks of the raw bytes at the kernel's offsets (ublk-facts.md section 4).
        assertEquals(9, mem.get(JAVA_BYTE, AT + 8 + 4));
        assertEquals(1L << 33, mem.get(JAVA_LONG, AT + 8 + 16));
        assertEquals(4096, mem.get(JAVA_INT, AT + 40 + 4));
        assertEquals(1, mem.get(JAVA_SHORT, AT + 40 + 16));
        assertEquals(256, mem.get(JAVA_INT, AT + 76 + 8));
        assertEquals(511, mem.get(JAVA_INT, AT + 108));
        assertEquals(0, mem.get(JAVA_INT, AT + 116), "hole after dma");
        assertEquals(0xFFFF_FFFFL, mem.get(JAVA_LONG, AT + 120));
        assertEquals((short) 0xFFFF, mem.get(JAVA_SHORT, AT + 120 + 12));
        assertEquals(4, mem.get(JAVA_BYTE, AT + 136 + 10));
        assertEquals(8, ParamsFlyweight.BASIC_OFFSET);
        assertEquals(40, ParamsFlyweight.DISCARD_OFFSET);
        assertEquals(60, ParamsFlyweight.DEVT_OFFSET);
        assertEquals(76, ParamsFlyweight.ZONED_OFFSET);
        assertEquals(108, ParamsFlyweight.DMA_OFFSET);
        assertEquals(120, ParamsFlyweight.SEG_OFFSET);
        assertEquals(136, ParamsFlyweight.INTEGRITY_OFFSET);
        assertEquals(AT + 8, p.basic().offset());
        assertSame(mem, p.integrity().segment());
        assertEquals(AT + 136, p.integrity().offset());
        assertEquals(p.basicDevSectors(), p.basic().devSectors());
        assertEquals(p.discardGranularity(), p.discard().discardGranularity());
        assertEquals(p.dmaAlignment(), p.dma().alignment());
        assertOutsideUntouched(ParamsFlyweight.SIZE);
    }

    @Test
    void shouldReadDevtWrittenByTheKernel() {
        ParamsFlyweight p = new ParamsFlyweight().wrap(mem, AT).reset();
        mem.set(JAVA_INT, AT + 60, 240);
        mem.set(JAVA_INT, AT + 64, 3);
        mem.set(JAVA_INT, AT + 68, 259);
        mem.set(JAVA_INT, AT + 72, 1);
        assertEquals(240, p.devtCharMajor());
        assertEquals(3, p.devtCharMinor());
        assertEquals(259, p.devtDiskMajor());
        assertEquals(1, p.devtDiskMinor());
        assertEquals(259, p.devt().diskMajor());
    }

    @Test
    void shouldEncodeAutoBufRegLikeTheKernel() {
        assertEquals(0x1_FEDCL, AutoBufRegFlyweight.autoBufReg(0xFEDC, UblkCmd.UBLK_AUTO_BUF_REG_FALLBACK));
        assertEquals(7, AutoBufRegFlyweight.autoBufReg(7, 0));
        assertEquals(0xFEDC, AutoBufRegFlyweight.autoBufRegIndex(0x1_FEDCL));
        assertEquals(1, AutoBufRegFlyweight.autoBufRegFlags(0x1_FEDCL));
        assertThrows(IllegalArgumentException.class, () -> AutoBufRegFlyweight.autoBufReg(0x10000, 0));
        assertThrows(IllegalArgumentException.class, () -> AutoBufRegFlyweight.autoBufReg(0, 0x100));

        AutoBufRegFlyweight reg = new AutoBufRegFlyweight().wrap(mem, AT).clear()
                .index(0xABCD).flags(UblkCmd.UBLK_AUTO_BUF_REG_FALLBACK);
        assertEquals(8, AutoBufRegFlyweight.SIZE);
        assertEquals(0xABCD, reg.index());
        assertEquals(1, reg.flags());
        assertEquals(AutoBufRegFlyweight.autoBufReg(0xABCD, 1), reg.toSqeAddr());
        // Little-endian memory image of the struct equals its sqe->addr encoding.
        assertEquals(reg.toSqeAddr(), mem.get(JAVA_LONG, AT));
        mem.set(JAVA_BYTE, AT + 3, (byte) 0x80);
        mem.set(JAVA_INT, AT + 4, 0x8000_0001);
        assertEquals(0x8000_0001_8001_ABCDL, reg.toSqeAddr());
        assertOutsideUntouched(AutoBufRegFlyweight.SIZE);
    }

    @Test
    void shouldRoundTripBatchIoAndElements() {
        int flags = UblkCmd.UBLK_BATCH_F_HAS_BUF_ADDR | UblkCmd.UBLK_BATCH_F_HAS_ZONE_LBA;
        assertEquals(8, BatchIoFlyweight.elemBytesFor(0));
        assertEquals(16, BatchIoFlyweight.elemBytesFor(UblkCmd.UBLK_BATCH_F_HAS_BUF_ADDR));
        assertEquals(16, BatchIoFlyweight.elemBytesFor(UblkCmd.UBLK_BATCH_F_HAS_ZONE_LBA));
        assertEquals(24, BatchIoFlyweight.elemBytesFor(flags | UblkCmd.UBLK_BATCH_F_AUTO_BUF_REG_FALLBACK));

        BatchIoFlyweight batch = new BatchIoFlyweight().wrap(mem, AT).clear()
                .qId(3).flags(flags).nrElem(2).elemBytes(BatchIoFlyweight.elemBytesFor(flags));
        assertEquals(16, BatchIoFlyweight.SIZE);
        assertEquals(3, batch.qId());
        assertEquals(flags, batch.flags());
        assertEquals(2, batch.nrElem());
        assertEquals(24, batch.elemBytes());
        assertEquals(24, mem.get(JAVA_BYTE, AT + 6));
        assertEquals(0, mem.get(JAVA_BYTE, AT + 7));
        assertEquals(0, mem.get(JAVA_LONG, AT + 8));
        assertOutsideUntouched(BatchIoFlyweight.SIZE);

        MemorySegment elems = arena.allocate(2 * 24, 8);
        ElemHeaderFlyweight e = new ElemHeaderFlyweight();
        e.wrap(elems, 0).tag(1).bufIndex(0xFFFF).result(4096).bufAddr(0x1000).zoneLba(flags, 77);
        e.wrap(elems, 24).tag(2).bufIndex(5).result(-61).bufAddr(0x2000).zoneLba(flags, 88);
        assertEquals(8, ElemHeaderFlyweight.SIZE);
        assertEquals(1, e.wrap(elems, 0).tag());
        assertEquals(0xFFFF, e.bufIndex());
        assertEquals(4096, e.result());
        assertEquals(0x1000, e.bufAddr());
        assertEquals(77, e.zoneLba(flags));
        assertEquals(77, elems.get(JAVA_LONG, 16));
        assertEquals(-61, e.wrap(elems, 24).result());
        assertEquals(88, elems.get(JAVA_LONG, 24 + 16));
        assertEquals(8, ElemHeaderFlyweight.zoneLbaOffset(UblkCmd.UBLK_BATCH_F_HAS_ZONE_LBA));
        assertEquals(16, ElemHeaderFlyweight.zoneLbaOffset(flags));
    }

    @Test
    void shouldRoundTripShmemBufReg() {
        ShmemBufRegFlyweight reg = new ShmemBufRegFlyweight().wrap(mem, AT).clear()
                .addr(0x7f00_0000_0000L).len(1L << 32).flags(UblkCmd.UBLK_SHMEM_BUF_READ_ONLY);
        assertEquals(24, ShmemBufRegFlyweight.SIZE);
        assertEquals(0x7f00_0000_0000L, reg.addr());
        assertEquals(1L << 32, reg.len());
        assertEquals(1, reg.flags());
        assertEquals(1, mem.get(JAVA_INT, AT + 16));
        assertEquals(0, mem.get(JAVA_INT, AT + 20));
        assertOutsideUntouched(ShmemBufRegFlyweight.SIZE);
    }

    @Test
    void shouldRejectAccessOutsideTheSegment() {
        MemorySegment small = arena.allocate(16, 8);
        CtrlCmdFlyweight cmd = new CtrlCmdFlyweight().wrap(small, 0);
        assertThrows(IndexOutOfBoundsException.class, () -> cmd.data(1));
        assertThrows(IndexOutOfBoundsException.class, cmd::clear);
    }

    @Test
    void shouldResolveDesignatorsThroughAnonymousUnions() {
        assertEquals(4, UblkLayouts.offsetOf(UblkLayouts.UBLKSRV_IO_DESC, "nr_zones"));
        assertEquals(8, UblkLayouts.offsetOf(UblkLayouts.UBLKSRV_IO_CMD, "zone_append_lba"));
        assertEquals(8 + 16, UblkLayouts.offsetOf(UblkLayouts.UBLK_PARAMS, "basic.dev_sectors"));
        assertEquals(120 + 12, UblkLayouts.offsetOf(UblkLayouts.UBLK_PARAMS, "seg.max_segments"));
        assertThrows(IllegalArgumentException.class, () -> UblkLayouts.offsetOf(UblkLayouts.UBLK_PARAMS, "seg.nope"));
        assertThrows(IllegalArgumentException.class, () -> UblkLayouts.offsetOf(UblkLayouts.UBLK_PARAMS, "len.x"));
    }
}
