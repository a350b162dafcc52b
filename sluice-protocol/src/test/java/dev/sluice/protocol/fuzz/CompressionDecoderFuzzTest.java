package dev.sluice.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.compress.CompressedSequence;
import dev.sluice.protocol.compress.Compression;
import dev.sluice.protocol.compress.CompressionDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

/**
 * Coverage-guided fuzzing of the decompressor: arbitrary bytes, in arbitrary chunks, as compressed packets of either
 * algorithm, may produce stretches of the packet stream or a DecoderException wrapping ProtocolException, never
 * anything else, and never a stretch longer than the limit (a claimed length is not allocated before it is bounded,
 * and inflation stops at it). The first input byte picks the algorithm (bit 0), the chunk size (bits 1-6) and the
 * limit (bit 7: 4 KiB or 16 MiB - 1); the rest is the stream. Seeds in CompressionDecoderFuzzTestInputs/: a valid
 * zlib packet, a zlib bomb, a zstd frame. In regression mode with the default build (see sluice-protocol/pom.xml).
 */
class CompressionDecoderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void compressedPackets(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int control = input[0] & 0xFF;
        Compression algorithm = (control & 1) == 0 ? Compression.ZLIB : Compression.ZSTD;
        int chunk = 1 + ((control >> 1) & 0x3F);
        int limit = (control & 0x80) == 0 ? 4096 : 0xFFFFFF;
        EmbeddedChannel channel = new EmbeddedChannel(
                new CompressionDecoder(algorithm.newCodec(0), new CompressedSequence(new PacketSequence()), limit));
        try {
            for (int at = 1; at < input.length; at += chunk) {
                int n = Math.min(chunk, input.length - at);
                channel.writeInbound(Unpooled.wrappedBuffer(input, at, n));
                for (Object o; (o = channel.readInbound()) != null; ) {
                    assertThat(((ByteBuf) o).readableBytes()).isBetween(1, limit);
                    ReferenceCountUtil.release(o);
                }
            }
        } catch (DecoderException e) {
            if (!(e.getCause() instanceof ProtocolException)) {
                throw e;
            }
        } finally {
            for (Object o; (o = channel.readInbound()) != null; ) {
                ReferenceCountUtil.release(o);
            }
            channel.finishAndReleaseAll();
        }
    }
}
