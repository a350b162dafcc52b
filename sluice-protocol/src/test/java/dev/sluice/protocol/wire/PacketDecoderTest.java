package dev.sluice.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.golden.Feed;
import dev.sluice.protocol.golden.Feed.Frame;
import dev.sluice.protocol.golden.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketDecoderTest {

    @Test
    void decodesTwoPacketsIdenticallyWhateverTheChunking() {
        byte[] input = Hex.parse("""
                03 00 00 00   # length 3, seq 0
                01 02 03      # payload
                00 00 00 01   # length 0, seq 1: an empty packet is legal
                02 00 00 02   # length 2, seq 2
                0a 0b
                """);
        List<Frame> frames = Feed.everyChunking(input);
        assertThat(frames).containsExactly(new Frame(0, "010203"), new Frame(1, ""), new Frame(2, "0a0b"));
    }

    @Test
    void joinsContinuationPacketsWithTinyChunks() {
        // maxChunk 3: a physical packet of exactly 3 bytes is continued by the next one.
        byte[] input = Hex.parse("""
                03 00 00 00  61 62 63     # full chunk, seq 0: continues
                03 00 00 01  64 65 66     # full chunk: continues
                01 00 00 02  67           # shorter: ends the logical packet "abcdefg", seq of the first (0)
                03 00 00 03  31 32 33     # exactly one full chunk...
                00 00 00 04               # ...so an empty packet ends it
                00 00 00 05               # and this is an empty logical packet of its own
                """);
        List<Frame> frames = Feed.everyChunking(input, 100, 3);
        assertThat(frames).containsExactly(new Frame(0, "61626364656667"), new Frame(3, "313233"), new Frame(5, ""));
        ByteBuf framed = Framing.encode(Unpooled.wrappedBuffer("abcdefg".getBytes()), 0, ByteBufAllocator.DEFAULT, 3);
        assertThat(ByteBufUtil.hexDump(framed))
                .isEqualTo(Hex.of(Hex.parse("03000000616263 03000001646566 0100000267")));
        framed.release();
    }

    @Test
    void sequenceGapIsProtocolErrorAndDecoderStaysBad() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 1024));
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("01 00 00 03 aa"))))
                .isInstanceOf(DecoderException.class)
                .cause()
                .isInstanceOf(ProtocolException.class)
                .hasMessage("sequence id: got 3 (expected: 0)");
        // terminal: a perfectly good packet afterwards is discarded, not decoded
        assertThat(channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("01 00 00 00 aa"))))
                .isFalse();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void sequenceWrapsFrom255To0() {
        PacketSequence seq = new PacketSequence();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(seq, 1024));
        ByteBuf in = Unpooled.buffer();
        for (int i = 0; i < 300; i++) {
            Framing.writeHeader(in, 1, i & 0xFF);
            in.writeByte(i);
        }
        channel.writeInbound(in);
        for (int i = 0; i < 300; i++) {
            Packet p = channel.readInbound();
            assertThat(p.sequenceId()).isEqualTo(i & 0xFF);
            assertThat((int) p.payload().readUnsignedByte()).isEqualTo(i & 0xFF);
            p.release();
        }
        assertThat(seq.nextExpected()).isEqualTo(300 & 0xFF);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void declaredLengthAboveMaxFailsBeforeAnyPayloadArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 1024));
        // header declaring 0xFFFFFF bytes; only the 4 header bytes are ever sent
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("ff ff ff 00"))))
                .satisfies(e -> {
                    assertThat(e).isInstanceOf(DecoderException.class);
                    assertThat(e.getCause())
                            .isInstanceOf(ProtocolException.class)
                            .hasMessage("packet length: 16777215 (expected: <= max packet size 1024)");
                });
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void reassembledTotalAboveMaxFailsBeforeTheContinuationArrives() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 5, 3));
        // 3 + 3 > 5: the second header alone is enough to refuse
        byte[] input = Hex.parse("03 00 00 00 61 62 63   03 00 00 01");
        assertThatThrownBy(() -> channel.writeInbound(Unpooled.wrappedBuffer(input)))
                .cause()
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("packet length: 6 (expected: <= max packet size 5)")
                .hasMessageContaining("continuation");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void singlePacketPayloadIsReleasedWithItsPacket() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 1024));
        ByteBuf in = Unpooled.wrappedBuffer(Hex.parse("02 00 00 00 01 02"));
        channel.writeInbound(in);
        Packet p = channel.readInbound();
        assertThat(p.refCnt()).isEqualTo(1);
        assertThat(p.release()).isTrue();
        assertThat(p.refCnt()).isZero();
        assertThat(in.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void truncatedInputAtCloseEmitsNothingAndLeaksNothing() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 100, 3));
        ByteBuf in = Unpooled.wrappedBuffer(Hex.parse("03 00 00 00 61 62 63  02 00 00 01 64"));
        channel.writeInbound(in);
        assertThat(channel.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void randomChunkingOfRandomPacketsMatchesAllAtOnce() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ByteBuf framed = Unpooled.buffer();
        int seq = 0;
        for (int i = 0; i < 50; i++) {
            byte[] payload = new byte[random.nextInt(20)];
            random.nextBytes(payload);
            ByteBuf one = Framing.encode(Unpooled.wrappedBuffer(payload), seq, ByteBufAllocator.DEFAULT, 7);
            seq = (seq + Framing.physicalPackets(payload.length, 7)) & 0xFF;
            framed.writeBytes(one);
            one.release();
        }
        byte[] input = new byte[framed.readableBytes()];
        framed.readBytes(input);
        List<Frame> whole = Feed.decode(input, new int[0], 1000, 7);
        for (int round = 0; round < 20; round++) {
            int[] cuts = random.ints(random.nextInt(30), 1, input.length)
                    .sorted()
                    .distinct()
                    .toArray();
            assertThat(Feed.decode(input, cuts, 1000, 7)).as("seed %d", seed).isEqualTo(whole);
        }
        assertThat(whole).as("seed %d", seed).hasSize(50);
    }

    /** With a sink, single-packet payloads are lent (not emitted) and continued ones still emitted, at any chunking. */
    @Test
    void sinkReceivesTheSamePayloadsAtEveryChunking() {
        byte[] input = Hex.parse("""
                03 00 00 00  61 62 63     # full chunk (maxChunk 3), seq 0: continues
                01 00 00 01  64           # ends "abcd": emitted as a Packet
                02 00 00 02  0a 0b        # lent
                00 00 00 03               # empty, lent
                01 00 00 04  0c           # lent
                """);
        for (int split = 0; split <= input.length; split++) {
            for (int step : new int[] {1, input.length}) {
                List<String> lent = new ArrayList<>();
                PacketDecoder decoder = new PacketDecoder(new PacketSequence(), 100, 3);
                decoder.sink((payload, seq) -> {
                    lent.add(seq + ":" + ByteBufUtil.hexDump(payload));
                    payload.skipBytes(payload.readableBytes() > 0 ? 1 : 0); // whatever the sink does to indices
                });
                EmbeddedChannel channel = new EmbeddedChannel(decoder);
                List<ByteBuf> inputs = new ArrayList<>();
                for (int at = 0; at < input.length; ) {
                    int end = at < split ? Math.min(split, at + step) : Math.min(input.length, at + step);
                    ByteBuf chunk = Unpooled.copiedBuffer(input, at, end - at);
                    inputs.add(chunk.retain());
                    channel.writeInbound(chunk);
                    at = end;
                }
                Packet joined = channel.readInbound();
                assertThat(joined.sequenceId()).isZero();
                assertThat(ByteBufUtil.hexDump(joined.payload())).isEqualTo("61626364");
                joined.release();
                assertThat((Object) channel.readInbound()).isNull();
                assertThat(lent).as("split %d step %d", split, step).containsExactly("2:0a0b", "3:", "4:0c");
                assertThat(channel.finish()).isFalse();
                for (ByteBuf b : inputs) {
                    assertThat(b.refCnt()).as("input released by the decoder").isEqualTo(1);
                    b.release();
                }
            }
        }
    }

    /**
     * A channel that is not auto-reading (a session holding back because its client is slow) is not read on by the
     * decoder after a read whose payload went to the sink; after a read short of a whole packet it is (one read).
     */
    @Test
    void lentPayloadCountsAsDeliveredForReadsWithoutAutoRead() {
        int[] reads = {0};
        PacketDecoder decoder = new PacketDecoder(new PacketSequence(), 100);
        decoder.sink((payload, seq) -> {});
        EmbeddedChannel channel = new EmbeddedChannel(
                new io.netty.channel.ChannelOutboundHandlerAdapter() {
                    @Override
                    public void read(io.netty.channel.ChannelHandlerContext ctx) {
                        reads[0]++;
                        ctx.read();
                    }
                },
                decoder);
        channel.config().setAutoRead(false);
        reads[0] = 0;
        channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("01 00 00 00 aa  02 00")));
        assertThat(reads[0]).as("a payload was lent: no read asked for").isZero();
        channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("00")));
        assertThat(reads[0]).as("still short of the header's packet: one read").isEqualTo(1);
        channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("01 bb cc")));
        assertThat(reads[0]).isEqualTo(1);
        assertThat(channel.finish()).isFalse();
    }
}
