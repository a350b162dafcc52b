package dev.sluice.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.golden.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Relaying a decoded packet as its frame (header re-stamped in place) instead of copying its payload. */
class PacketFrameTest {

    /** Decodes {@code wire} (delivered in the given pieces) into packets. */
    private static List<Packet> decode(byte[] wire, int... pieces) {
        EmbeddedChannel in = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 1 << 20));
        int at = 0;
        for (int piece : pieces) {
            in.writeInbound(Unpooled.copiedBuffer(wire, at, piece));
            at += piece;
        }
        if (at < wire.length) {
            in.writeInbound(Unpooled.copiedBuffer(wire, at, wire.length - at));
        }
        List<Packet> packets = new ArrayList<>();
        for (Packet p; (p = in.readInbound()) != null; ) {
            packets.add(p);
        }
        in.finish();
        return packets;
    }

    private static List<ByteBuf> outbound(EmbeddedChannel out) {
        List<ByteBuf> bufs = new ArrayList<>();
        for (ByteBuf b; (b = out.readOutbound()) != null; ) {
            bufs.add(b);
        }
        return bufs;
    }

    private static String hex(List<ByteBuf> bufs) {
        StringBuilder s = new StringBuilder();
        bufs.forEach(b -> s.append(ByteBufUtil.hexDump(b)));
        return s.toString();
    }

    @Test
    void packetsReadInOnePieceAreRelayedAsTheirFramesWithTheIdRestamped() {
        // two packets from a server: ids 0 and 1; relayed to a client whose sequence is at 5
        byte[] wire = Hex.parse("03000000 0a0b0c" // length 3, id 0, payload
                + "01000001 fe"); // length 1, id 1, payload
        List<Packet> packets = decode(wire);
        assertThat(packets).hasSize(2);
        PacketSequence clientSeq = new PacketSequence();
        for (int i = 0; i < 5; i++) {
            clientSeq.stampOutbound();
        }
        EmbeddedChannel out = new EmbeddedChannel(new PacketEncoder(clientSeq));
        out.writeOutbound(packets.get(0), packets.get(1));
        List<ByteBuf> bufs = outbound(out);
        // one buffer per packet, the same bytes as read with ids 5 and 6
        assertThat(bufs).hasSize(2);
        assertThat(hex(bufs)).isEqualTo("030000050a0b0c" + "01000006fe");
        // the frames are the read buffer itself, not copies: what was written keeps it (and the payloads) alive
        assertThat(packets.get(0).refCnt()).isPositive();
        bufs.forEach(ByteBuf::release);
        assertThat(packets.get(0).refCnt()).isZero();
        assertThat(packets.get(1).refCnt()).isZero();
        assertThat(out.finish()).isFalse();
    }

    @Test
    void aPacketWrittenTwiceKeepsTheFirstHeaderAndFramesTheSecondAnew() {
        List<Packet> packets = decode(Hex.parse("02000000 abcd"));
        Packet p = packets.get(0).retain();
        PacketSequence seq = new PacketSequence();
        EmbeddedChannel out = new EmbeddedChannel(new PacketEncoder(seq));
        out.writeOutbound(p);
        ByteBuf first = out.readOutbound();
        out.writeOutbound(p); // the same object again: its frame is being sent, so it must not be re-stamped
        ByteBuf second = out.readOutbound();
        assertThat(ByteBufUtil.hexDump(first)).isEqualTo("02000000abcd");
        assertThat(ByteBufUtil.hexDump(second)).isEqualTo("02000001abcd");
        first.release();
        second.release();
        assertThat(p.refCnt()).isZero();
        assertThat(out.finish()).isFalse();
    }

    @Test
    void aPayloadWhoseIndexesMovedIsFramedFromWhatIsLeft() {
        List<Packet> packets = decode(Hex.parse("03000000 010203"));
        Packet p = packets.get(0);
        p.payload().skipBytes(1);
        EmbeddedChannel out = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        out.writeOutbound(p);
        List<ByteBuf> bufs = outbound(out);
        assertThat(hex(bufs)).isEqualTo("020000000203");
        bufs.forEach(ByteBuf::release);
        assertThat(p.refCnt()).isZero();
        out.finish();
    }

    @Test
    void aHeaderFromAnEarlierReadIsNotTrustedButTheOutputIsTheSame() {
        byte[] wire = Hex.parse("03000000 414243");
        List<Packet> packets = decode(wire, 2, 3); // header split, payload in a later read
        Packet p = packets.get(0);
        assertThat(p.takeFrame()).isNull();
        EmbeddedChannel out = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        out.writeOutbound(p);
        List<ByteBuf> bufs = outbound(out);
        assertThat(hex(bufs)).isEqualTo("03000000414243");
        bufs.forEach(ByteBuf::release);
        assertThat(p.refCnt()).isZero();
        out.finish();
    }

    @Test
    void randomStreamsInRandomPiecesRelayByteForByte() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            ByteBuf wire = Unpooled.buffer();
            ByteBuf expected = Unpooled.buffer();
            int count = 1 + random.nextInt(20);
            for (int i = 0; i < count; i++) {
                byte[] payload = new byte[random.nextInt(3000)];
                random.nextBytes(payload);
                Framing.writeHeader(wire, payload.length, i);
                wire.writeBytes(payload);
                Framing.writeHeader(expected, payload.length, (i + 7) & 0xFF);
                expected.writeBytes(payload);
            }
            byte[] bytes = ByteBufUtil.getBytes(wire);
            wire.release();
            int[] pieces = new int[random.nextInt(6)];
            int left = bytes.length;
            for (int i = 0; i < pieces.length && left > 0; i++) {
                pieces[i] = random.nextInt(left + 1);
                left -= pieces[i];
            }
            List<Packet> packets = decode(bytes, pieces);
            PacketSequence seq = new PacketSequence();
            for (int i = 0; i < 7; i++) {
                seq.stampOutbound();
            }
            EmbeddedChannel out = new EmbeddedChannel(new PacketEncoder(seq));
            packets.forEach(out::writeOutbound);
            List<ByteBuf> bufs = outbound(out);
            assertThat(hex(bufs)).as("seed %d round %d", seed, round).isEqualTo(ByteBufUtil.hexDump(expected));
            bufs.forEach(ByteBuf::release);
            expected.release();
            assertThat(packets).as("seed %d", seed).allMatch(p -> p.refCnt() == 0);
            out.finish();
        }
    }

    @Test
    void withABacklogSmallPacketsAreCopiedSoThatNoReadBufferIsPinned() {
        List<Packet> packets = decode(Hex.parse("02000000 abcd"));
        Packet p = packets.get(0);
        EmbeddedChannel out = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        out.write(Unpooled.wrappedBuffer(new byte[PacketEncoder.FRAME_BACKLOG + 1])); // written, not flushed
        out.write(p);
        // copied: the packet (and its read buffer) is released at once
        assertThat(p.refCnt()).isZero();
        out.flush();
        List<ByteBuf> bufs = outbound(out);
        assertThat(ByteBufUtil.hexDump(bufs.get(bufs.size() - 1))).isEqualTo("02000001abcd");
        bufs.forEach(ByteBuf::release);
        out.finish();
    }
}
