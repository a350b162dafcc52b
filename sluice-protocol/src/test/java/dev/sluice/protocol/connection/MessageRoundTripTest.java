package dev.sluice.protocol.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.AuthSwitchResponse;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Seeded random messages: decode(encode(m)) == m, consuming every byte. */
class MessageRoundTripTest {

    private static <T> void roundTrip(
            T message, BiConsumer<T, ByteBuf> encoder, Function<ByteBuf, T> decoder, String ctx) {
        ByteBuf buf = Unpooled.buffer();
        encoder.accept(message, buf);
        T decoded = decoder.apply(buf);
        assertThat(decoded).as(ctx).isEqualTo(message);
        assertThat(buf.isReadable()).as(ctx + ": consumed").isFalse();
        buf.release();
    }

    private static String text(Random r, boolean asciiOnly) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(20);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(asciiOnly || r.nextBoolean() ? 1 + r.nextInt(127) : 0xA0 + r.nextInt(0x3000));
        }
        return sb.toString();
    }

    private static byte[] bytes(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    private static long flags(Random r, long... candidates) {
        long caps = 0;
        for (long c : candidates) {
            if (r.nextBoolean()) {
                caps |= c;
            }
        }
        return caps;
    }

    @Test
    void connectionPhaseMessages() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            String ctx = "seed " + seed + ", round " + i;
            long caps = Capability.CLIENT_PROTOCOL_41
                    | flags(
                            r,
                            Capability.CLIENT_MYSQL,
                            Capability.CLIENT_SECURE_CONNECTION,
                            Capability.CLIENT_PLUGIN_AUTH,
                            Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA,
                            Capability.CLIENT_CONNECT_WITH_DB,
                            Capability.CLIENT_CONNECT_ATTRS,
                            Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM,
                            Capability.CLIENT_SSL,
                            Capability.CLIENT_DEPRECATE_EOF);
            if (!Capability.has(caps, Capability.CLIENT_MYSQL)) {
                caps |= (r.nextLong() & 0x3FL) << 32;
            }
            boolean ascii = r.nextBoolean();
            int charset = ascii ? 8 : 45;

            // HandshakeV10: 20-byte scramble + NUL, or longer plugin data, whose length only CLIENT_PLUGIN_AUTH
            // can announce (without it, part 2 is always 13 bytes)
            long serverCaps = caps | Capability.CLIENT_SECURE_CONNECTION;
            boolean longer = Capability.has(serverCaps, Capability.CLIENT_PLUGIN_AUTH) && r.nextBoolean();
            byte[] data = new byte[21 + (longer ? r.nextInt(20) : 0)];
            r.nextBytes(data);
            String plugin = Capability.has(serverCaps, Capability.CLIENT_PLUGIN_AUTH) ? text(r, true) : "";
            roundTrip(
                    new HandshakeV10(
                            text(r, true),
                            r.nextLong() & 0xFFFFFFFFL,
                            data,
                            serverCaps,
                            r.nextInt(256),
                            r.nextInt(1 << 16),
                            plugin),
                    (m, b) -> m.encode(b),
                    HandshakeV10::decode,
                    ctx);

            // HandshakeResponse41: every optional field follows its flag
            byte[] auth;
            if (Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA)) {
                auth = bytes(r, 300);
            } else if (Capability.has(caps, Capability.CLIENT_SECURE_CONNECTION)) {
                auth = bytes(r, 255);
            } else {
                auth = text(r, true).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            }
            List<HandshakeResponse41.Attribute> attrs = new ArrayList<>();
            if (Capability.has(caps, Capability.CLIENT_CONNECT_ATTRS)) {
                for (int a = r.nextInt(5); a > 0; a--) {
                    attrs.add(new HandshakeResponse41.Attribute(text(r, ascii), text(r, ascii)));
                }
            }
            HandshakeResponse41 response = new HandshakeResponse41(
                    caps,
                    r.nextLong() & 0xFFFFFFFFL,
                    charset,
                    text(r, ascii),
                    auth,
                    Capability.has(caps, Capability.CLIENT_CONNECT_WITH_DB) ? text(r, ascii) : null,
                    Capability.has(caps, Capability.CLIENT_PLUGIN_AUTH) ? text(r, true) : null,
                    attrs,
                    Capability.has(caps, Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM) ? 1 + r.nextInt(22) : 0);
            roundTrip(response, (m, b) -> m.encode(b), HandshakeResponse41::decode, ctx);

            roundTrip(
                    new SslRequest(caps, r.nextLong() & 0xFFFFFFFFL, charset),
                    (m, b) -> m.encode(b),
                    SslRequest::decode,
                    ctx);
            roundTrip(
                    new AuthSwitchRequest(text(r, true), bytes(r, 40)),
                    (m, b) -> m.encode(b),
                    AuthSwitchRequest::decode,
                    ctx);
            roundTrip(new AuthSwitchResponse(bytes(r, 40)), (m, b) -> m.encode(b), AuthSwitchResponse::decode, ctx);
            roundTrip(new AuthMoreData(bytes(r, 40)), (m, b) -> m.encode(b), AuthMoreData::decode, ctx);
        }
    }
}
