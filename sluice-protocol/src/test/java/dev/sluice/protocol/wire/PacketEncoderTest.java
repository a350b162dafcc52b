package dev.sluice.protocol.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.golden.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketEncoderTest {

    private static byte[] drainOutbound(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    @Test
    void stampsSequenceIdsAndWritesHeaders() {
        PacketSequence seq = new PacketSequence();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(seq));
        ByteBuf a = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
        ByteBuf b = Unpooled.buffer(0);
        channel.writeOutbound(a, b);
        assertThat(Hex.of(drainOutbound(channel))).isEqualTo(Hex.of(Hex.parse("03 00 00 00 010203  00 00 00 01")));
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
        assertThat(seq.nextExpected()).isEqualTo(2);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void relayedPacketIsRestampedWithThisChannelsSequence() {
        PacketSequence seq = new PacketSequence();
        seq.stampOutbound(); // this connection is at id 1
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(seq));
        Packet relayed = new Packet(42, Unpooled.wrappedBuffer(new byte[] {9}));
        channel.writeOutbound(relayed);
        assertThat(Hex.of(drainOutbound(channel))).isEqualTo("0100000109");
        assertThat(relayed.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void splitsAtMaxChunkWithTrailingEmptyPacketOnExactMultiple() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(new PacketSequence(), 3));
        channel.writeOutbound(Unpooled.wrappedBuffer("abcdef".getBytes()));
        assertThat(Hex.of(drainOutbound(channel)))
                .isEqualTo(Hex.of(Hex.parse("03000000 616263  03000001 646566  00000002")));
        channel.writeOutbound(Unpooled.wrappedBuffer("abcd".getBytes()));
        assertThat(Hex.of(drainOutbound(channel))).isEqualTo(Hex.of(Hex.parse("03000003 616263  01000004 64")));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void encoderOutputMatchesStaticFramingForRandomPayloads() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 200; i++) {
            int maxChunk = 1 + random.nextInt(10);
            byte[] payload = new byte[random.nextInt(40)];
            random.nextBytes(payload);
            int start = random.nextInt(256);
            PacketSequence seq = new PacketSequence();
            for (int s = 0; s < start; s++) {
                seq.stampOutbound();
            }
            EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(seq, maxChunk));
            channel.writeOutbound(Unpooled.wrappedBuffer(payload));
            ByteBuf expected =
                    Framing.encode(Unpooled.wrappedBuffer(payload), start, ByteBufAllocator.DEFAULT, maxChunk);
            assertThat(Hex.of(drainOutbound(channel)))
                    .as("seed %d, round %d", seed, i)
                    .isEqualTo(ByteBufUtil.hexDump(expected));
            expected.release();
            assertThat(channel.finish()).isFalse();
        }
    }

    /** One real round trip through the 0xFFFFFF boundary in each direction. */
    @Test
    void realSixteenMebibyteBoundaries() {
        for (int length : new int[] {0xFFFFFF - 1, 0xFFFFFF, 2 * 0xFFFFFF, 20 << 20}) {
            PacketSequence out = new PacketSequence();
            PacketSequence in = new PacketSequence();
            EmbeddedChannel sender = new EmbeddedChannel(new PacketEncoder(out));
            EmbeddedChannel receiver = new EmbeddedChannel(new PacketDecoder(in, 64 << 20));
            ByteBuf payload = Unpooled.buffer(length);
            for (int i = 0; i < length; i++) {
                payload.writeByte(i * 31);
            }
            ByteBuf original = payload.retainedDuplicate();
            sender.writeOutbound(payload);
            List<Integer> headerLengths = new ArrayList<>();
            for (ByteBuf b; (b = sender.readOutbound()) != null; ) {
                if (b.readableBytes() == Framing.HEADER_SIZE && headerLengths.size() < 10) {
                    headerLengths.add(b.getUnsignedMediumLE(0));
                }
                receiver.writeInbound(b);
            }
            int expectedPhysical = length / 0xFFFFFF + 1;
            assertThat(out.nextExpected()).as("length %d", length).isEqualTo(expectedPhysical);
            assertThat(in.nextExpected()).isEqualTo(expectedPhysical);
            Packet p = receiver.readInbound();
            assertThat(p.sequenceId()).isZero();
            assertThat(p.payload().readableBytes()).isEqualTo(length);
            assertThat(ByteBufUtil.equals(p.payload(), original))
                    .as("payload of length %d", length)
                    .isTrue();
            assertThat((Object) receiver.readInbound()).isNull();
            p.release();
            original.release();
            assertThat(p.refCnt()).isZero();
            assertThat(original.refCnt()).isZero();
            assertThat(sender.finish()).isFalse();
            assertThat(receiver.finish()).isFalse();
        }
    }

    @Test
    void smallPacketsWrittenBetweenFlushesLeaveAsOneBuffer() {
        PacketSequence seq = new PacketSequence();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(seq));
        for (int i = 0; i < 3; i++) {
            channel.write(Unpooled.wrappedBuffer(new byte[] {(byte) i}), channel.voidPromise());
        }
        assertThat((Object) channel.readOutbound())
                .as("nothing handed on before the flush")
                .isNull();
        channel.flush();
        ByteBuf out = channel.readOutbound();
        assertThat(Hex.of(ByteBufUtil.getBytes(out)))
                .isEqualTo(Hex.of(Hex.parse("01000000 00  01000001 01  01000002 02")));
        out.release();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void writeWithPromiseHandsOnWhatWasCollectedAndCompletes() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        channel.write(Unpooled.wrappedBuffer(new byte[] {7}), channel.voidPromise());
        var future = channel.write(Unpooled.wrappedBuffer(new byte[] {8}));
        channel.flush();
        assertThat(future.isSuccess()).isTrue();
        assertThat(Hex.of(drainOutbound(channel))).isEqualTo(Hex.of(Hex.parse("01000000 07  01000001 08")));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void largePayloadFollowsCollectedPacketsInOrderUncopied() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        byte[] big = new byte[PacketEncoder.COPY_THRESHOLD + 1];
        big[0] = 0x42;
        ByteBuf large = Unpooled.wrappedBuffer(big);
        channel.write(Unpooled.wrappedBuffer(new byte[] {1}), channel.voidPromise());
        channel.write(large, channel.voidPromise());
        channel.write(Unpooled.wrappedBuffer(new byte[] {2}), channel.voidPromise());
        channel.flush();
        List<ByteBuf> parts = new ArrayList<>();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            parts.add(b);
        }
        assertThat(parts).hasSize(4); // collected, header, slice of the large payload, collected
        assertThat(Hex.of(ByteBufUtil.getBytes(parts.get(0)))).isEqualTo("0100000001");
        assertThat(Hex.of(ByteBufUtil.getBytes(parts.get(1)))).isEqualTo("01080001");
        assertThat(parts.get(2).readableBytes()).isEqualTo(big.length);
        assertThat(parts.get(2).getByte(0)).isEqualTo((byte) 0x42);
        assertThat(Hex.of(ByteBufUtil.getBytes(parts.get(3)))).isEqualTo("0100000202");
        parts.forEach(ByteBuf::release);
        assertThat(large.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void collectingStopsAtTheBatchLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        int payload = PacketEncoder.COPY_THRESHOLD;
        int packets = 3 * PacketEncoder.BATCH_LIMIT / (payload + Framing.HEADER_SIZE) + 1;
        for (int i = 0; i < packets; i++) {
            channel.write(Unpooled.wrappedBuffer(new byte[payload]), channel.voidPromise());
        }
        channel.flush();
        int buffers = 0;
        long bytes = 0;
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            assertThat(b.readableBytes()).isLessThanOrEqualTo(PacketEncoder.BATCH_LIMIT);
            bytes += b.readableBytes();
            buffers++;
            b.release();
        }
        assertThat(buffers).as("three full buffers and the rest").isEqualTo(4);
        assertThat(bytes).isEqualTo((long) packets * (payload + Framing.HEADER_SIZE));
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void closeReleasesWhatWasNeverFlushed() {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(new PacketSequence()));
        ByteBuf pooled = ByteBufAllocator.DEFAULT.buffer().writeByte(5);
        channel.write(pooled, channel.voidPromise());
        assertThat(pooled.refCnt()).isZero();
        channel.close();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void lentPayloadsWrittenDirectlyJoinTheSameBatchInOrderAndStayTheLenders() {
        PacketEncoder encoder = new PacketEncoder(new PacketSequence());
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        channel.write(Unpooled.wrappedBuffer(new byte[] {1}), channel.voidPromise());
        ByteBuf lent = Unpooled.wrappedBuffer(new byte[] {2});
        encoder.writeRelayed(lent);
        byte[] big = new byte[PacketEncoder.COPY_THRESHOLD + 1];
        ByteBuf lentLarge = Unpooled.wrappedBuffer(big);
        encoder.writeRelayed(lentLarge);
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {3}));
        byte[] out = drainOutbound(channel);
        assertThat(Hex.of(java.util.Arrays.copyOf(out, 14)))
                .isEqualTo(Hex.of(Hex.parse("01000000 01  01000001 02  01080002")));
        assertThat(Hex.of(java.util.Arrays.copyOfRange(out, out.length - 5, out.length)))
                .isEqualTo("0100000303");
        assertThat(out.length).isEqualTo(5 + 5 + 4 + big.length + 5);
        assertThat(lent.refCnt()).as("the lender's").isEqualTo(1);
        assertThat(lentLarge.refCnt())
                .as("the lender's, slices written and released")
                .isEqualTo(1);
        channel.pipeline().remove(encoder);
        encoder.writeRelayed(lent); // the encoder has left: a retained slice takes the ordinary path
        channel.flush();
        ByteBuf slice = channel.readOutbound();
        assertThat(slice.getByte(slice.readerIndex())).isEqualTo((byte) 2);
        slice.release();
        assertThat(lent.refCnt()).isEqualTo(1);
        lent.release();
        lentLarge.release();
        assertThat(channel.finish()).isFalse();
    }
}
