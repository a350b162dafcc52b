package dev.sluice.protocol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

/**
 * Coverage-guided fuzzing of the framing decoder: arbitrary bytes in arbitrary chunks may produce packets or
 * a DecoderException wrapping ProtocolException, never anything else. Excluded from the default build; see
 * sluice-protocol/pom.xml (profile "fuzz") and golden/connection/README.md for how to run it.
 */
class PacketDecoderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void arbitraryChunks(FuzzedDataProvider data) {
        int maxPacket = data.consumeInt(0, 4096);
        int maxChunk = data.consumeInt(1, 64);
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(new PacketSequence(), maxPacket, maxChunk));
        try {
            while (data.remainingBytes() > 0) {
                byte[] piece = data.consumeBytes(data.consumeInt(1, 64));
                channel.writeInbound(Unpooled.wrappedBuffer(piece));
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
