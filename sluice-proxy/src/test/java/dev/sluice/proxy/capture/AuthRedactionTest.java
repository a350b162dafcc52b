package dev.sluice.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthRedactionTest {
    static final byte[] SCRAMBLE = "0123456789abcdefghij\0".getBytes(StandardCharsets.US_ASCII);
    static final byte[] AUTH = {9, 8, 7, 6, 5, 4, 3, 2, 1, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};

    static ByteBuf greeting(long id) {
        ByteBuf b = Unpooled.buffer();
        new HandshakeV10("10.11.0-MariaDB", id, SCRAMBLE, 0xFFFFFFFFL, 45, 2, "mysql_native_password").encode(b);
        return b;
    }

    static ByteBuf login(long capabilities, String user) {
        ByteBuf b = Unpooled.buffer();
        new HandshakeResponse41(
                        capabilities,
                        1 << 24,
                        45,
                        user,
                        AUTH,
                        "test",
                        "mysql_native_password",
                        List.of(new HandshakeResponse41.Attribute("_client_name", "t")),
                        0)
                .encode(b);
        return b;
    }

    static ByteBuf bytes(int... values) {
        ByteBuf b = Unpooled.buffer();
        for (int v : values) {
            b.writeByte(v);
        }
        return b;
    }

    /** The bytes the verdict zeroes must be exactly AUTH's in the packet. */
    static void assertZeroesTheAuthResponse(ByteBuf packet, AuthRedaction.Verdict v) {
        byte[] all = new byte[packet.readableBytes()];
        packet.getBytes(packet.readerIndex(), all);
        assertThat(v.to() - v.from()).isEqualTo(AUTH.length);
        byte[] zeroed = java.util.Arrays.copyOfRange(all, v.from(), v.to());
        assertThat(zeroed).isEqualTo(AUTH);
    }

    @Test
    void theLoginsAuthResponseAndTheWholeAuthExchangeAreZeroed() {
        long caps = Capability.CLIENT_PROTOCOL_41
                | Capability.CLIENT_SECURE_CONNECTION
                | Capability.CLIENT_PLUGIN_AUTH
                | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
                | Capability.CLIENT_CONNECT_WITH_DB
                | Capability.CLIENT_CONNECT_ATTRS
                | Capability.CLIENT_SSL;
        AuthRedaction r = new AuthRedaction();
        r.written(greeting(1073741825L));
        assertThat(r.connectionId()).isEqualTo(1073741825L);

        ByteBuf sslRequest = Unpooled.buffer()
                .writeIntLE((int) caps)
                .writeIntLE(1 << 24)
                .writeByte(45)
                .writeZero(23);
        assertThat(r.read(sslRequest, 1).skip())
                .as("the SSLRequest is left out")
                .isTrue();

        ByteBuf login = login(caps, "app");
        AuthRedaction.Verdict v = r.read(login, 2);
        assertThat(v.handshakeResponse()).isTrue();
        assertZeroesTheAuthResponse(login, v);
        assertThat(r.user()).isEqualTo("app");

        r.written(bytes(0x01, 0x04)); // caching_sha2_password: perform full authentication
        ByteBuf cleartext = Unpooled.copiedBuffer("secret\0", StandardCharsets.UTF_8);
        AuthRedaction.Verdict clear = r.read(cleartext, 5);
        assertThat(clear.from()).isZero();
        assertThat(clear.to()).isEqualTo(cleartext.readableBytes());
        assertThat(r.inCommands()).isFalse();

        r.written(bytes(0x00, 0, 0, 2, 0, 0, 0)); // OK
        assertThat(r.inCommands()).isTrue();
        AuthRedaction.Verdict query = r.read(Unpooled.copiedBuffer("\3SELECT 1", StandardCharsets.UTF_8), 0);
        assertThat(query.to() - query.from())
                .as("commands are kept as they are")
                .isZero();
    }

    @Test
    void aLoginWithoutLengthEncodedAuthDataUsesItsOneLengthByte() {
        long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_PLUGIN_AUTH;
        AuthRedaction r = new AuthRedaction();
        ByteBuf login = login(caps, "u");
        assertZeroesTheAuthResponse(login, r.read(login, 1));
    }

    @Test
    void comChangeUsersAuthResponseAndTheExchangeAfterItAreZeroed() {
        long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_PLUGIN_AUTH;
        AuthRedaction r = new AuthRedaction();
        r.read(login(caps, "u"), 1);
        r.written(bytes(0x00, 0, 0, 2, 0, 0, 0));
        ByteBuf change = Unpooled.buffer()
                .writeByte(0x11)
                .writeBytes("other\0".getBytes(StandardCharsets.US_ASCII))
                .writeByte(AUTH.length)
                .writeBytes(AUTH)
                .writeBytes("test\0".getBytes(StandardCharsets.US_ASCII))
                .writeShortLE(45);
        assertZeroesTheAuthResponse(change, r.read(change, 0));
        r.written(bytes(0xFE, 'm', 'y', 0)); // AuthSwitchRequest
        ByteBuf switchResponse = Unpooled.wrappedBuffer(AUTH);
        AuthRedaction.Verdict v = r.read(switchResponse, 2);
        assertThat(v.from()).isZero();
        assertThat(v.to()).isEqualTo(AUTH.length);
        r.written(bytes(0xFF, 0x15, 0x04, '#'));
        assertThat(r.inCommands()).as("the ERR ends the exchange").isTrue();
    }
}
