package dev.sluice.protocol.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.golden.Hex;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.HandshakeV10;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every malformed input ends in a ProtocolException naming the message and field, and nothing else. */
class MalformedInputTest {

    private static byte[] payload(String goldenFile, int packetIndex) {
        byte[] all = Hex.resource(goldenFile);
        int pos = 0;
        for (int i = 0; ; i++) {
            int length = (all[pos] & 0xFF) | (all[pos + 1] & 0xFF) << 8 | (all[pos + 2] & 0xFF) << 16;
            if (i == packetIndex) {
                return Arrays.copyOfRange(all, pos + 4, pos + 4 + length);
            }
            pos += 4 + length;
        }
    }

    /** Each strict prefix either decodes (optional trailing fields) or throws a ProtocolException naming it. */
    private static void everyPrefix(byte[] full, String messageName, Consumer<ByteBuf> decoder, int mustFailBelow) {
        for (int n = 0; n < full.length; n++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(full, 0, n);
            int length = n;
            if (n < mustFailBelow) {
                assertThatThrownBy(() -> decoder.accept(prefix))
                        .as("prefix of %d bytes", length)
                        .isInstanceOf(ProtocolException.class)
                        .hasMessageStartingWith(messageName + " ")
                        .hasMessageMatching("(?s).*(truncated|without terminator|remaining bytes).*");
            } else {
                try {
                    decoder.accept(prefix);
                } catch (ProtocolException e) {
                    assertThat(e.getMessage()).as("prefix of %d bytes", length).startsWith(messageName + " ");
                }
            }
        }
    }

    @Test
    void truncatedHandshakeV10() {
        byte[] greeting = payload("mariadb-native-login.hex", 0);
        // up to the end of capability_flags_1 every field is mandatory (offset 1 + 33 + 4 + 8 + 1 + 2)
        everyPrefix(greeting, "HandshakeV10", HandshakeV10::decode, 1 + 33 + 4 + 8 + 1 + 2);
        assertThatThrownBy(() -> HandshakeV10.decode(Unpooled.wrappedBuffer(greeting, 0, 36)))
                .hasMessage("HandshakeV10 connection_id: truncated, needs 4 bytes, 2 remaining");
        byte[] spec = payload("spec-handshake-v10.hex", 0);
        everyPrefix(spec, "HandshakeV10", HandshakeV10::decode, 24);
    }

    @Test
    void handshakeV10WithErrHeaderOrOtherVersion() {
        assertThatThrownBy(() -> HandshakeV10.decode(Unpooled.wrappedBuffer(Hex.parse("ff 10 04 54 6f 6f"))))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("HandshakeV10 protocol_version: 255 (expected: 10; 0xff is an ERR packet)");
        assertThatThrownBy(() -> HandshakeV10.decode(Unpooled.wrappedBuffer(Hex.parse("09 00"))))
                .hasMessage("HandshakeV10 protocol_version: 9 (expected: 10)");
    }

    @Test
    void handshakeV10PluginNameWithoutNulIsAccepted() {
        byte[] greeting = payload("mariadb-native-login.hex", 0);
        HandshakeV10 h = HandshakeV10.decode(Unpooled.wrappedBuffer(greeting, 0, greeting.length - 1));
        assertThat(h.authPluginName()).isEqualTo("mysql_native_password");
    }

    @Test
    void truncatedHandshakeResponse41() {
        byte[] response = payload("mariadb-native-login.hex", 1);
        // caps, max packet, charset, filler, user name, auth response are mandatory
        everyPrefix(response, "HandshakeResponse41", HandshakeResponse41::decode, 32 + 7 + 21);
        everyPrefix(
                payload("spec-handshake-response41.hex", 0),
                "HandshakeResponse41",
                HandshakeResponse41::decode,
                32 + 4 + 21);
    }

    private static ByteBuf responseWith(String tailHex) {
        long caps = Capability.CLIENT_PROTOCOL_41
                | Capability.CLIENT_SECURE_CONNECTION
                | Capability.CLIENT_PLUGIN_AUTH
                | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
                | Capability.CLIENT_CONNECT_ATTRS;
        ByteBuf buf = Unpooled.buffer();
        buf.writeIntLE((int) caps);
        buf.writeIntLE(1 << 24);
        buf.writeByte(45);
        buf.writeZero(23);
        buf.writeBytes(Hex.parse("75 00")); // user "u"
        buf.writeBytes(Hex.parse(tailHex));
        return buf;
    }

    @Test
    void lyingAttributesLength() {
        // auth response empty, plugin "p", attrs total claims 0x30 bytes but only 4 follow
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("00  70 00  30 01 61 01 62")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("HandshakeResponse41 connect_attrs length: length 48 (expected: <= 4 remaining bytes)");
        // total is honest (4) but a key claims more than the attributes hold; bytes after them do not help
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("00  70 00  04 09 61 01 62  ff ff ff ff ff")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("HandshakeResponse41 connect_attrs key: length 9 (expected: <= 3 remaining bytes)");
        // a value missing entirely
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("00  70 00  02 01 61")))
                .hasMessage("HandshakeResponse41 connect_attrs value of a: truncated, needs 1 bytes, 0 remaining");
        // 2^64-1 as the attributes length
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("00  70 00  fe ff ff ff ff ff ff ff ff")))
                .hasMessageStartingWith("HandshakeResponse41 connect_attrs length: length 18446744073709551615");
    }

    @Test
    void ffWhereALenencIntIsExpected() {
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("ff 00 00")))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("HandshakeResponse41 auth_response: invalid first byte 0xff of a length-encoded integer");
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("fb")))
                .hasMessageStartingWith("HandshakeResponse41 auth_response: ")
                .hasMessageContaining("NULL");
        assertThatThrownBy(() -> HandshakeResponse41.decode(responseWith("00  70 00  ff")))
                .hasMessage(
                        "HandshakeResponse41 connect_attrs length: invalid first byte 0xff of a length-encoded integer");
    }

    @Test
    void validAttributesInOrder() {
        HandshakeResponse41 r =
                HandshakeResponse41.decode(responseWith("00  70 00  0c 01 62 01 31 01 61 01 32 01 62 01 33"));
        assertThat(r.attributes())
                .containsExactly(
                        new HandshakeResponse41.Attribute("b", "1"),
                        new HandshakeResponse41.Attribute("a", "2"),
                        new HandshakeResponse41.Attribute("b", "3"));
        assertThat(r.attributeMap()).containsExactly(java.util.Map.entry("b", "3"), java.util.Map.entry("a", "2"));
    }

    @Test
    void sslRequestTruncatedAndRecognised() {
        ByteBuf ssl = Unpooled.buffer();
        new SslRequest(
                        Capability.CLIENT_SSL | Capability.CLIENT_PROTOCOL_41 | Capability.MARIADB_CLIENT_PROGRESS,
                        1 << 24,
                        45)
                .encode(ssl);
        assertThat(ssl.readableBytes()).isEqualTo(32);
        assertThat(SslRequest.isSslRequest(ssl)).isTrue();
        assertThat(SslRequest.decode(ssl.duplicate()).capabilities() >>> 32).isEqualTo(1);
        byte[] bytes = new byte[32];
        ssl.getBytes(0, bytes);
        everyPrefix(bytes, "SSLRequest", SslRequest::decode, 32);
        assertThat(SslRequest.isSslRequest(Unpooled.wrappedBuffer(payload("mariadb-native-login.hex", 1))))
                .isFalse();
        ByteBuf noSsl = Unpooled.wrappedBuffer(new byte[32]);
        assertThat(SslRequest.isSslRequest(noSsl)).isFalse();
    }

    @Test
    void authSwitchAndMoreData() {
        assertThatThrownBy(() -> AuthSwitchRequest.decode(Unpooled.wrappedBuffer(Hex.parse("fe 6d 79"))))
                .isInstanceOf(ProtocolException.class)
                .hasMessage(
                        "AuthSwitchRequest plugin_name: NUL-terminated string without terminator (2 bytes remaining)");
        assertThatThrownBy(() -> AuthSwitchRequest.decode(Unpooled.EMPTY_BUFFER))
                .hasMessage("AuthSwitchRequest header: truncated, needs 1 bytes, 0 remaining");
        assertThatThrownBy(() -> AuthSwitchRequest.decode(Unpooled.wrappedBuffer(Hex.parse("00 61 00"))))
                .hasMessage("AuthSwitchRequest header: 0x0 (expected: 0xfe)");
        assertThatThrownBy(() -> AuthMoreData.decode(Unpooled.EMPTY_BUFFER))
                .hasMessage("AuthMoreData header: truncated, needs 1 bytes, 0 remaining");
        assertThatThrownBy(() -> AuthMoreData.decode(Unpooled.wrappedBuffer(Hex.parse("02"))))
                .hasMessage("AuthMoreData header: 0x2 (expected: 0x01)");
        assertThat(AuthMoreData.decode(Unpooled.wrappedBuffer(Hex.parse("01 03")))
                        .isFastAuthOk())
                .isTrue();
        assertThat(new AuthSwitchRequest("p", new byte[] {1, 2}).scramble()).containsExactly(1, 2);
        assertThat(new AuthSwitchRequest("p", new byte[] {1, 0, 0}).scramble()).containsExactly(1, 0);
    }
}
