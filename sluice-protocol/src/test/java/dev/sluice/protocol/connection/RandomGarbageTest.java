package dev.sluice.protocol.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.golden.Hex;
import dev.sluice.protocol.message.client.AuthSwitchResponse;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Random and mutated bytes into every decoder: it decodes or throws ProtocolException, nothing else. */
class RandomGarbageTest {
    static final Map<String, Consumer<ByteBuf>> DECODERS = Map.of(
            "HandshakeV10", HandshakeV10::decode,
            "HandshakeResponse41", HandshakeResponse41::decode,
            "SslRequest", SslRequest::decode,
            "AuthSwitchRequest", AuthSwitchRequest::decode,
            "AuthSwitchResponse", AuthSwitchResponse::decode,
            "AuthMoreData", AuthMoreData::decode);

    private static final List<String> SEEDS = List.of(
            "mariadb-native-login.hex",
            "mariadb-auth-switch.hex",
            "spec-handshake-v10.hex",
            "spec-handshake-response41.hex",
            "spec-auth-switch-request.hex");

    private static byte[] mutate(byte[] base, Random r) {
        byte[] b = Arrays.copyOf(base, r.nextInt(base.length + 8));
        int flips = 1 + r.nextInt(6);
        for (int i = 0; i < flips && b.length > 0; i++) {
            int at = r.nextInt(b.length);
            b[at] = switch (r.nextInt(4)) {
                case 0 -> (byte) 0xff;
                case 1 -> (byte) 0xfe;
                case 2 -> 0;
                default -> (byte) r.nextInt(256);
            };
        }
        return b;
    }

    @Test
    void decodersThrowOnlyProtocolException() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        List<byte[]> bases = SEEDS.stream()
                .map(Hex::resource)
                .map(b -> Arrays.copyOfRange(b, 4, b.length))
                .toList();
        for (int i = 0; i < 20000; i++) {
            byte[] input;
            if (r.nextBoolean()) {
                input = new byte[r.nextInt(120)];
                r.nextBytes(input);
            } else {
                input = mutate(bases.get(r.nextInt(bases.size())), r);
            }
            for (Map.Entry<String, Consumer<ByteBuf>> d : DECODERS.entrySet()) {
                try {
                    d.getValue().accept(Unpooled.wrappedBuffer(input));
                } catch (ProtocolException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                } catch (RuntimeException e) {
                    fail("seed " + seed + ", " + d.getKey() + " on " + Hex.of(input) + " threw " + e, e);
                }
            }
        }
    }

    @Test
    void packetDecoderThrowsOnlyProtocolException() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int i = 0; i < 3000; i++) {
            byte[] input = new byte[r.nextInt(200)];
            r.nextBytes(input);
            if (r.nextBoolean() && input.length > 4) {
                input[3] = 0; // a plausible first sequence id
                input[1] = 0;
                input[2] = 0;
            }
            EmbeddedChannel channel =
                    new EmbeddedChannel(new PacketDecoder(new PacketSequence(), 64, 1 + r.nextInt(64)));
            int from = 0;
            try {
                while (from < input.length) {
                    int n = 1 + r.nextInt(input.length - from);
                    channel.writeInbound(Unpooled.wrappedBuffer(input, from, n));
                    from += n;
                }
            } catch (DecoderException e) {
                assertThat(e.getCause())
                        .as("seed %d, input %s", seed, Hex.of(input))
                        .isInstanceOf(ProtocolException.class);
            }
            for (Object o; (o = channel.readInbound()) != null; ) {
                ReferenceCountUtil.release(o);
            }
            channel.finishAndReleaseAll();
        }
    }
}
