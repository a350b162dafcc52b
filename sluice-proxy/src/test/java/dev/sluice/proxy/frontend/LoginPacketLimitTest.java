package dev.sluice.proxy.frontend;

import static dev.sluice.proxy.frontend.ClientHandshakeHandlerTest.errCode;
import static dev.sluice.proxy.frontend.ClientHandshakeHandlerTest.errMessage;
import static dev.sluice.proxy.frontend.HandshakeHarness.CLIENT_CAPS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.frontend.HandshakeHarness.Frame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Before a client is authenticated its packets are bounded by {@link ClientHandshakeHandler#MAX_LOGIN_PACKET}, not by
 * max-packet-size (issue 10 item 3): an unauthenticated client cannot make Sluice buffer 64 MiB, while a login with
 * as many connection attributes as MySQL accepts still passes, and commands after it may be as large as configured.
 */
class LoginPacketLimitTest {
    private final HandshakeHarness h = new HandshakeHarness(); // max-packet-size 64 MiB

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void aLoginPacketOverTheLimitIsABadHandshakeBeforeItsPayloadArrives() {
        h.greeting();
        int length = ClientHandshakeHandler.MAX_LOGIN_PACKET + 1;
        // the header alone: nothing of the payload needs to arrive (or be buffered) for the refusal
        h.channel.writeInbound(
                Unpooled.wrappedBuffer(new byte[] {(byte) length, (byte) (length >>> 8), (byte) (length >>> 16), 1}));
        Frame e = h.poll();
        assertThat(e).as("an ERR as soon as the header was read").isNotNull();
        assertThat(e.seq()).isEqualTo(2);
        assertThat(errCode(e)).isEqualTo(dev.sluice.proxy.session.ProxyErrors.BAD_HANDSHAKE);
        assertThat(errMessage(e))
                .isEqualTo("Bad handshake: packet length: " + length + " (expected: <= max packet size "
                        + ClientHandshakeHandler.MAX_LOGIN_PACKET + ")");
        assertThat(h.channel.isOpen()).isFalse();
    }

    @Test
    void aLoginWithMySqlsMaximumOfAttributesPassesAndCommandsMayThenBeLarge() {
        List<HandshakeResponse41.Attribute> attributes = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            attributes.add(new HandshakeResponse41.Attribute("attr" + i, "v".repeat(4096 - 8)));
        }
        HandshakeResponse41 login = new HandshakeResponse41(
                CLIENT_CAPS,
                16 << 20,
                33,
                "app",
                h.nativeAuth("secret"),
                "shop",
                NativePassword.PLUGIN_NAME,
                attributes,
                0);
        ByteBuf encoded = Unpooled.buffer();
        login.encode(encoded);
        assertThat(encoded.readableBytes())
                .as("a login with 64 KiB of attributes")
                .isGreaterThan(64 * 1024)
                .isLessThanOrEqualTo(ClientHandshakeHandler.MAX_LOGIN_PACKET);
        encoded.release();
        h.sendLogin(1, login);
        assertThat(h.next().first()).as("OK").isEqualTo(0x00);
        assertThat(h.events).hasSize(1);

        byte[] command = new byte[1 << 20];
        command[0] = 0x03;
        h.channel.writeInbound(HandshakeHarness.frame(0, b -> b.writeBytes(command)));
        assertThat(h.afterAuth).hasSize(1);
        Packet p = h.afterAuth.get(0); // released by the harness
        assertThat(p.payload().readableBytes()).isEqualTo(1 << 20);
    }
}
