package dev.sluice.protocol.compress;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The compressed protocol's handlers: round trips, chunking, the 16 MiB rules, sequence restarts, hostile input. */
class CompressionCodecTest {
    private static final int LIMIT = 64 * 1024 * 1024;

    /** Writes payloads as packets through a compressing encoder; returns the bytes that left the channel. */
    private static ByteBuf send(Compression algorithm, PacketSequence sequence, List<byte[]> payloads) {
        EmbeddedChannel writer = new EmbeddedChannel(
                new CompressionEncoder(algorithm.newCodec(0), new CompressedSequence(sequence)),
                new PacketEncoder(sequence));
        for (byte[] p : payloads) {
            writer.write(Unpooled.wrappedBuffer(p));
        }
        writer.flush();
        ByteBuf wire = Unpooled.buffer();
        for (ByteBuf b; (b = writer.readOutbound()) != null; ) {
            wire.writeBytes(b);
            b.release();
        }
        writer.finishAndReleaseAll();
        return wire;
    }

    /** Feeds {@code wire} in pieces of {@code chunk} bytes to a decompressing reader; returns the payloads read. */
    private static List<byte[]> receive(Compression algorithm, ByteBuf wire, int chunk) {
        PacketSequence sequence = new PacketSequence();
        EmbeddedChannel reader = new EmbeddedChannel(
                new CompressionDecoder(algorithm.newCodec(0), new CompressedSequence(sequence), 0xFFFFFF),
                new PacketDecoder(sequence, LIMIT));
        List<byte[]> out = new ArrayList<>();
        try {
            ByteBuf copy = wire.duplicate();
            while (copy.isReadable()) {
                reader.writeInbound(copy.readRetainedSlice(Math.min(chunk, copy.readableBytes())));
                for (Packet p; (p = reader.readInbound()) != null; ) {
                    out.add(ByteBufUtil.getBytes(p.payload()));
                    p.release();
                }
            }
        } finally {
            reader.finishAndReleaseAll();
        }
        return out;
    }

    private static byte[] text(int length, long seed) {
        Random random = new Random(seed);
        String[] words = {"select", "row", "value", "sluice", "1234", "NULL", "abc", "zz"};
        StringBuilder sb = new StringBuilder(length + 16);
        while (sb.length() < length) {
            sb.append(words[random.nextInt(words.length)]).append(' ');
        }
        return sb.substring(0, length).getBytes(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void packetsSurviveTheRoundTripWhateverTheChunking(Compression algorithm) {
        List<byte[]> payloads = List.of(text(3, 1), text(49, 2), text(50, 3), text(5000, 4), text(70_000, 5));
        ByteBuf wire = send(algorithm, new PacketSequence(), payloads);
        try {
            int plain = payloads.stream().mapToInt(p -> p.length + 4).sum();
            assertThat(wire.readableBytes()).isLessThan(plain / 2);
            for (int chunk : new int[] {1, 2, 6, 7, 8, 100, Integer.MAX_VALUE}) {
                List<byte[]> got = receive(algorithm, wire, chunk);
                assertThat(got).as("chunk %d", chunk).containsExactlyElementsOf(payloads);
            }
        } finally {
            wire.release();
        }
    }

    @Test
    void theFrameTapSeesDecompressedPackets() {
        List<byte[]> payloads = List.of(text(300, 21), text(40, 22));
        ByteBuf wire = send(Compression.ZLIB, new PacketSequence(), payloads);
        PacketSequence sequence = new PacketSequence();
        PacketDecoder decoder = new PacketDecoder(sequence, LIMIT);
        List<byte[]> tapped = new ArrayList<>();
        decoder.tap(new dev.sluice.protocol.wire.FrameTap() {
            @Override
            public boolean read(ByteBuf payload, int sequenceId) {
                tapped.add(ByteBufUtil.getBytes(payload));
                return true;
            }

            @Override
            public boolean written(ByteBuf payload, int sequenceId) {
                return true;
            }
        });
        EmbeddedChannel reader = new EmbeddedChannel(
                new CompressionDecoder(Compression.ZLIB.newCodec(0), new CompressedSequence(sequence), 0xFFFFFF),
                decoder);
        try {
            assertThat(wire.getUnsignedMediumLE(4)).as("compressed on the wire").isPositive();
            reader.writeInbound(wire);
            assertThat(tapped).containsExactlyElementsOf(payloads);
        } finally {
            reader.finishAndReleaseAll();
        }
    }

    @Test
    void aStretchUnderFiftyBytesIsSentUncompressed() {
        ByteBuf wire = send(Compression.ZLIB, new PacketSequence(), List.of(text(20, 7)));
        try {
            assertThat(wire.getUnsignedMediumLE(0)).isEqualTo(24); // header + payload, as they are
            assertThat(wire.getUnsignedByte(3)).isEqualTo((short) 0);
            assertThat(wire.getUnsignedMediumLE(4)).isZero(); // not compressed
            assertThat(wire.readableBytes()).isEqualTo(7 + 24);
        } finally {
            wire.release();
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void payloadsOver16MiBAreCutIntoCompressedPacketsOfAtMost16MiB(Compression algorithm) {
        byte[] big = text(0xFFFFFF + 1000, 11);
        ByteBuf wire = send(algorithm, new PacketSequence(), List.of(big, text(10, 12)));
        try {
            List<Integer> carried = new ArrayList<>();
            List<Integer> ids = new ArrayList<>();
            for (int at = 0; at < wire.writerIndex(); ) {
                int sent = wire.getUnsignedMediumLE(at);
                ids.add((int) wire.getUnsignedByte(at + 3));
                int uncompressed = wire.getUnsignedMediumLE(at + 4);
                carried.add(uncompressed == 0 ? sent : uncompressed);
                at += 7 + sent;
            }
            assertThat(carried).allMatch(n -> n <= 0xFFFFFF);
            assertThat(carried.stream().mapToInt(Integer::intValue).sum()).isEqualTo(big.length + 8 + 10 + 4);
            assertThat(ids).containsExactly(0, 1);
            assertThat(receive(algorithm, wire, 1 << 20)).containsExactly(big, text(10, 12));
        } finally {
            wire.release();
        }
    }

    @Test
    void aRestartOfThePacketSequenceStartsANewCompressedPacketAtTheSameId() {
        PacketSequence sequence = new PacketSequence();
        CompressedSequence compressed = new CompressedSequence(sequence);
        CompressionEncoder encoder = new CompressionEncoder(Compression.ZLIB.newCodec(0), compressed);
        PacketEncoder packets = new PacketEncoder(sequence);
        EmbeddedChannel writer = new EmbeddedChannel(encoder, packets);
        compressed.onRestart(() -> {
            packets.handOnCollected();
            encoder.cut();
        });
        sequence.reset();
        writer.write(Unpooled.wrappedBuffer(text(100, 1)));
        writer.write(Unpooled.wrappedBuffer(text(100, 2)));
        sequence.reset(); // a second command pipelined behind the first, before any flush
        writer.write(Unpooled.wrappedBuffer(text(100, 3)));
        writer.flush();
        List<Integer> ids = new ArrayList<>();
        for (ByteBuf b; (b = writer.readOutbound()) != null; ) {
            if (b.readableBytes() == 7) {
                ids.add((int) b.getUnsignedByte(3));
            }
            b.release();
        }
        assertThat(ids).containsExactly(0, 0);
        sequence.commandMode();
        sequence.beginResponse(4);
        assertThat(compressed.nextExpected()).isEqualTo(5);
        writer.finishAndReleaseAll();
    }

    @Test
    void exchangeModeContinuesAfterTheLastCompressedIdRead() {
        PacketSequence sequence = new PacketSequence();
        CompressedSequence compressed = new CompressedSequence(sequence);
        compressed.inbound(6);
        assertThat(compressed.nextExpected()).isEqualTo(7);
        sequence.commandMode();
        compressed.inbound(0);
        assertThat(compressed.nextExpected()).isEqualTo(7); // a client's next command does not renumber a response
    }

    private static ProtocolException decodeFails(Compression algorithm, int limit, ByteBuf input) {
        EmbeddedChannel reader = new EmbeddedChannel(
                new CompressionDecoder(algorithm.newCodec(0), new CompressedSequence(new PacketSequence()), limit));
        try {
            reader.writeInbound(input);
            for (Object o; (o = reader.readInbound()) != null; ) {
                ReferenceCountUtil.release(o);
            }
        } catch (DecoderException e) {
            assertThat(e.getCause()).isInstanceOf(ProtocolException.class);
            // after the error everything further is discarded, nothing emitted
            reader.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 0, 0, 0, 0, 42}));
            assertThat((Object) reader.readInbound()).isNull();
            return (ProtocolException) e.getCause();
        } finally {
            reader.finishAndReleaseAll();
        }
        throw new AssertionError("no error");
    }

    private static ByteBuf packet(byte[] payload, int declared) {
        ByteBuf b = Unpooled.buffer();
        CompressedFraming.writeHeader(b, payload.length, 0, declared);
        return b.writeBytes(payload);
    }

    private static byte[] deflate(byte[] input) {
        Deflater d = new Deflater();
        d.setInput(input);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    @Test
    void aZlibBombStopsAtTheDeclaredLength() {
        byte[] bomb = deflate(new byte[8 * 1024 * 1024]); // ~8 KiB inflating to 8 MiB
        assertThat(decodeFails(Compression.ZLIB, 0xFFFFFF, packet(bomb, 1000)))
                .hasMessageContaining("inflates past the 1000 bytes");
    }

    @Test
    void aClaimOverTheLimitIsRefusedFromTheHeaderAlone() {
        ByteBuf header = Unpooled.buffer();
        CompressedFraming.writeHeader(header, 20, 0, 0xFFFFFF); // the payload never arrives
        assertThat(decodeFails(Compression.ZLIB, 65536, header))
                .hasMessageContaining("carries 16777215 bytes (expected: <= 65536");
        ByteBuf raw = Unpooled.buffer();
        CompressedFraming.writeHeader(raw, 70_000, 0, 0);
        assertThat(decodeFails(Compression.ZSTD, 65536, raw)).hasMessageContaining("carries 70000 bytes");
    }

    @Test
    void shortCorruptOrTrailingZlibDataIsRefused() {
        byte[] good = deflate(text(1000, 3));
        assertThat(decodeFails(Compression.ZLIB, 0xFFFFFF, packet(good, 2000)))
                .hasMessageContaining("inflates to 1000 bytes (expected: 2000");
        byte[] corrupt = good.clone();
        corrupt[0] = 0x13;
        assertThat(decodeFails(Compression.ZLIB, 0xFFFFFF, packet(corrupt, 1000)))
                .hasMessageContaining("malformed zlib data");
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 3);
        assertThat(decodeFails(Compression.ZLIB, 0xFFFFFF, packet(trailing, 1000)))
                .hasMessageContaining("3 bytes after the end");
    }

    @Test
    void aZstdFrameStatingAnotherSizeOrInflatingFurtherIsRefused() {
        byte[] frame = Zstd.compress(new byte[4 * 1024 * 1024], 3);
        assertThat(decodeFails(Compression.ZSTD, 0xFFFFFF, packet(frame, 1000)))
                .hasMessageContaining("states 4194304 bytes of content (expected: 1000");
        assertThat(decodeFails(Compression.ZSTD, 0xFFFFFF, packet(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 100)))
                .hasMessageContaining("zstd");
    }
}
