package dev.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer between an encoder and the socket: pieces, frame cuts, a wrong sequence id, all on real framing. */
class HostileWriterTest {
    private static EmbeddedChannel channel(HostileWriter writer, int maxChunk) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(writer);
        ch.pipeline().addLast(new PacketEncoder(new PacketSequence(), maxChunk));
        return ch;
    }

    private static List<byte[]> pieces(EmbeddedChannel ch) {
        List<byte[]> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            out.add(bytes);
        }
        return out;
    }

    private static byte[] joined(List<byte[]> pieces) {
        ByteBuf all = Unpooled.buffer();
        pieces.forEach(all::writeBytes);
        byte[] bytes = new byte[all.readableBytes()];
        all.readBytes(bytes);
        return bytes;
    }

    private static ByteBuf payload(String s) {
        return Unpooled.copiedBuffer(s, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void splitBytesWritesEveryByteOnItsOwnAndTheStreamUnchanged() {
        EmbeddedChannel ch = channel(new HostileWriter(new Plan(1, 0, List.of(Fault.parse("split-bytes")))), 0xFFFFFF);

        ch.writeAndFlush(payload("hello"));
        ch.writeAndFlush(payload("world!"));

        List<byte[]> pieces = pieces(ch);
        assertThat(pieces).hasSize(4 + 5 + 4 + 6).allMatch(p -> p.length == 1);
        assertThat(joined(pieces))
                .containsExactly(5, 0, 0, 0, 'h', 'e', 'l', 'l', 'o', 6, 0, 0, 1, 'w', 'o', 'r', 'l', 'd', '!');
    }

    @Test
    void splitFramesCutsAtEveryHeaderAndPayloadEndIncludingContinuations() {
        // a chunk of 4 stands in for 0xFFFFFF: a payload of 9 is three packets (4, 4, 1), one of 4 two (4, 0)
        EmbeddedChannel ch = channel(new HostileWriter(new Plan(1, 0, List.of(Fault.parse("split-frames")))), 4);

        ch.writeAndFlush(payload("abcdefghi"));
        ch.writeAndFlush(payload("wxyz"));

        List<Integer> sizes = pieces(ch).stream().map(p -> p.length).toList();
        assertThat(sizes).containsExactly(4, 4, 4, 4, 4, 1, 4, 4, 4);
    }

    @Test
    void theMarkedLogicalPacketCarriesASequenceIdOneTooHighAndNoOtherChanges() {
        HostileWriter writer = new HostileWriter(new Plan(1, 0, List.of(Fault.parse("seq-id:2"))));
        EmbeddedChannel ch = channel(writer, 0xFFFFFF);
        writer.frames().corrupt(2);

        ch.writeAndFlush(payload("a"));
        ch.writeAndFlush(payload("b"));
        ch.writeAndFlush(payload("c"));

        assertThat(joined(pieces(ch))).containsExactly(1, 0, 0, 0, 'a', 1, 0, 0, 2, 'b', 1, 0, 0, 2, 'c');
    }

    @Test
    void randomPiecesFollowTheSeedAndNeverExceedTheirMaximum() {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            EmbeddedChannel ch =
                    channel(new HostileWriter(new Plan(99, 5, List.of(Fault.parse("split-random:5")))), 0xFFFFFF);
            ch.writeAndFlush(payload("x".repeat(200)));
            runs.add(pieces(ch).stream().map(p -> p.length).toList());
        }

        assertThat(runs.get(0)).isEqualTo(runs.get(1)).allMatch(n -> n >= 1 && n <= 5);
        assertThat(runs.get(0).stream().mapToInt(Integer::intValue).sum()).isEqualTo(204);
        assertThat(runs.get(0).stream().distinct().count()).isGreaterThan(1);
    }

    @Test
    void anEmptyWriteStillCompletesSoThatAFlushThenCloseCloses() {
        EmbeddedChannel ch = channel(new HostileWriter(new Plan(1, 0, List.of(Fault.parse("split-bytes")))), 0xFFFFFF);
        ch.writeAndFlush(payload("ab"));

        ch.pipeline()
                .context(PacketEncoder.class)
                .writeAndFlush(Unpooled.EMPTY_BUFFER)
                .addListener(f -> ch.close());

        assertThat(joined(pieces(ch))).hasSize(6);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aResetWaitsForWhatWasWrittenBeforeIt() {
        HostileWriter writer = new HostileWriter(new Plan(1, 0, List.of(Fault.parse("split-bytes"))));
        EmbeddedChannel ch = channel(writer, 0xFFFFFF);

        ch.writeAndFlush(payload("bye"));
        writer.resetWhenDrained();

        assertThat(joined(pieces(ch))).hasSize(7);
        assertThat(ch.isOpen()).isFalse();
    }
}
