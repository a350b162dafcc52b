package dev.sluice.protocol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.client.AuthSwitchResponse;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of the connection-phase decoders: each payload decodes, or throws
 * ProtocolException; any other exception (IndexOutOfBounds, NegativeArraySize, OutOfMemory...) is a finding.
 * A successful decode must also re-encode without throwing.
 */
class ConnectionDecodersFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void decoders(FuzzedDataProvider data) {
        int which = data.consumeInt(0, 5);
        byte[] payload = data.consumeRemainingAsBytes();
        ByteBuf in = Unpooled.wrappedBuffer(payload);
        ByteBuf out = Unpooled.buffer();
        try {
            switch (which) {
                case 0 -> HandshakeV10.decode(in).encode(out);
                case 1 -> HandshakeResponse41.decode(in).encode(out);
                case 2 -> SslRequest.decode(in).encode(out);
                case 3 -> AuthSwitchRequest.decode(in).encode(out);
                case 4 -> AuthMoreData.decode(in).encode(out);
                default -> AuthSwitchResponse.decode(in).encode(out);
            }
        } catch (ProtocolException expected) {
            // the only failure a peer may cause
        } finally {
            out.release();
        }
    }
}
