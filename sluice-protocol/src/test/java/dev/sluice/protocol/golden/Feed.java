package dev.sluice.protocol.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.wire.Framing;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Feeds framed bytes through a {@link PacketDecoder} in an {@link EmbeddedChannel} with a chosen chunking,
 * and checks that every chunking (all at once, one byte at a time, every split into two pieces) yields the
 * same packets (DESIGN invariant 1).
 */
public final class Feed {
    /** A decoded packet, copied out so it can be compared after the buffer was released. */
    public record Frame(int sequenceId, String payloadHex) {
        public byte[] payload() {
            return java.util.HexFormat.of().parseHex(payloadHex);
        }
    }

    private Feed() {}

    public static List<Frame> decode(byte[] input, int[] cuts) {
        return decode(input, cuts, 1 << 24, Framing.MAX_CHUNK);
    }

    /** Writes input in pieces ending at each of {@code cuts} (ascending) and then the rest. */
    public static List<Frame> decode(byte[] input, int[] cuts, int maxPacketSize, int maxChunk) {
        // Golden files may start mid-exchange (an OK with id 2): start the sequence at the first packet's id.
        PacketSequence sequence = new PacketSequence();
        for (int i = 0; input.length >= Framing.HEADER_SIZE && i < (input[3] & 0xFF); i++) {
            sequence.stampOutbound();
        }
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, maxPacketSize, maxChunk));
        List<Frame> frames = new ArrayList<>();
        List<ByteBuf> pieces = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : input.length;
            ByteBuf piece = Unpooled.wrappedBuffer(input, from, to - from);
            pieces.add(piece);
            channel.writeInbound(piece);
            drain(channel, frames);
            from = to;
        }
        assertThat(channel.finish()).as("nothing left after %s", frames).isFalse();
        for (ByteBuf piece : pieces) {
            assertThat(piece.refCnt())
                    .as("input buffer released once every packet was")
                    .isZero();
        }
        return frames;
    }

    private static void drain(EmbeddedChannel channel, List<Frame> frames) {
        for (Packet p; (p = channel.readInbound()) != null; ) {
            frames.add(new Frame(p.sequenceId(), ByteBufUtil.hexDump(p.payload())));
            p.release();
        }
    }

    public static int[] oneByteAtATime(int length) {
        int[] cuts = new int[Math.max(0, length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return cuts;
    }

    /**
     * Decodes all at once, then one byte at a time and at every two-piece split, asserting identical frames
     * each time; returns the frames.
     */
    public static List<Frame> everyChunking(byte[] input, int maxPacketSize, int maxChunk) {
        List<Frame> whole = decode(input, new int[0], maxPacketSize, maxChunk);
        assertThat(decode(input, oneByteAtATime(input.length), maxPacketSize, maxChunk))
                .as("one byte at a time")
                .isEqualTo(whole);
        for (int cut = 1; cut < input.length; cut++) {
            assertThat(decode(input, new int[] {cut}, maxPacketSize, maxChunk))
                    .as("split at %d", cut)
                    .isEqualTo(whole);
        }
        return whole;
    }

    public static List<Frame> everyChunking(byte[] input) {
        return everyChunking(input, 1 << 24, Framing.MAX_CHUNK);
    }

    /**
     * Like {@link #everyChunking(byte[])}, then maps each frame to a message with {@code decoder} for every
     * chunking and asserts the messages are equal too.
     */
    public static <T> List<T> messagesAtEverySplit(byte[] input, Function<List<Frame>, List<T>> decoder) {
        List<T> reference = decoder.apply(decode(input, new int[0]));
        assertThat(decoder.apply(decode(input, oneByteAtATime(input.length)))).isEqualTo(reference);
        for (int cut = 1; cut < input.length; cut++) {
            assertThat(decoder.apply(decode(input, new int[] {cut})))
                    .as("split at %d", cut)
                    .isEqualTo(reference);
        }
        return reference;
    }
}
