package dev.sluice.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.golden.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameTapTest {

    /** Records what it sees ("r:" or "w:", the sequence id, the payload's hex) and withholds payloads starting 0xEE. */
    private static final class Recording implements FrameTap {
        final List<String> seen = new ArrayList<>();

        @Override
        public boolean read(ByteBuf payload, int sequenceId) {
            return note("r", payload, sequenceId);
        }

        @Override
        public boolean written(ByteBuf payload, int sequenceId) {
            return note("w", payload, sequenceId);
        }

        private boolean note(String direction, ByteBuf payload, int sequenceId) {
            seen.add(direction + ":" + sequenceId + ":" + ByteBufUtil.hexDump(payload));
            boolean withhold = payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == 0xEE;
            payload.skipBytes(payload.readableBytes()); // a careless tap: the framing puts the indices back
            return !withhold;
        }
    }

    @Test
    void decoderShowsEachLogicalPacketJoinedAndDropsWithheldOnes() {
        Recording tap = new Recording();
        PacketDecoder decoder = new PacketDecoder(new PacketSequence(), 1 << 20, 3);
        decoder.tap(tap);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        // "abcdef" in two full chunks and an empty end, then a withheld 0xEE, then 0x01
        channel.writeInbound(
                Unpooled.wrappedBuffer(Hex.parse("03000000 616263 03000001 646566 00000002 01000003 ee 01000004 01")));
        assertThat(tap.seen).containsExactly("r:0:616263646566", "r:3:ee", "r:4:01");
        Packet first = channel.readInbound();
        assertThat(ByteBufUtil.hexDump(first.content())).isEqualTo("616263646566");
        first.release();
        Packet third = channel.readInbound();
        assertThat(ByteBufUtil.hexDump(third.content())).isEqualTo("01");
        third.release();
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void decoderShowsLentPayloadsBeforeTheSinkAndWithholdsFromIt() {
        Recording tap = new Recording();
        List<String> lent = new ArrayList<>();
        PacketDecoder decoder = new PacketDecoder(new PacketSequence(), 1 << 20);
        decoder.tap(tap);
        decoder.sink((payload, id) -> lent.add(id + ":" + ByteBufUtil.hexDump(payload)));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(Unpooled.wrappedBuffer(Hex.parse("02000000 0102 01000001 ee 01000002 03")));
        assertThat(tap.seen).containsExactly("r:0:0102", "r:1:ee", "r:2:03");
        assertThat(lent).containsExactly("0:0102", "2:03");
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void encoderShowsEachPayloadWithTheIdItIsStampedWithAndWithholdsSome() {
        Recording tap = new Recording();
        PacketSequence sequence = new PacketSequence();
        PacketEncoder encoder = new PacketEncoder(sequence, 3);
        encoder.tap(tap);
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        channel.write(Unpooled.wrappedBuffer(Hex.parse("010203")), channel.voidPromise());
        channel.write(Unpooled.wrappedBuffer(Hex.parse("ee")), channel.voidPromise());
        channel.writeAndFlush(Unpooled.wrappedBuffer(Hex.parse("04")), channel.voidPromise());
        // the first payload goes as a full chunk and an empty end (ids 0 and 1), so the last is stamped 2
        assertThat(tap.seen).containsExactly("w:0:010203", "w:2:ee", "w:2:04");
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        assertThat(ByteBufUtil.hexDump(all)).isEqualTo(Hex.of(Hex.parse("03000000 010203 00000001 01000002 04")));
        all.release();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void withheldWriteFailsItsPromise() {
        PacketEncoder encoder = new PacketEncoder(new PacketSequence());
        encoder.tap(new Recording());
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        var future = channel.writeAndFlush(Unpooled.wrappedBuffer(Hex.parse("ee")));
        assertThat(future.isDone()).isTrue();
        assertThat(future.cause()).hasMessageContaining("withheld");
        assertThat((Object) channel.readOutbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void thenShowsTheSecondTapOnlyWhatTheFirstLetsThrough() {
        Recording first = new Recording();
        Recording second = new Recording();
        FrameTap tap = FrameTap.then(first, second);
        assertThat(tap.written(Unpooled.wrappedBuffer(Hex.parse("01")), 0)).isTrue();
        assertThat(tap.written(Unpooled.wrappedBuffer(Hex.parse("ee")), 1)).isFalse();
        assertThat(tap.read(Unpooled.wrappedBuffer(Hex.parse("02")), 0)).isTrue();
        assertThat(first.seen).containsExactly("w:0:01", "w:1:ee", "r:0:02");
        assertThat(second.seen).containsExactly("w:0:01", "r:0:02");
        assertThat(FrameTap.then(null, second)).isSameAs(second);
        assertThat(FrameTap.then(first, null)).isSameAs(first);
    }
}
