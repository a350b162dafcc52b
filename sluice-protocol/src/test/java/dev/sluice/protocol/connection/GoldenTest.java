package dev.sluice.protocol.connection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.golden.Feed;
import dev.sluice.protocol.golden.Feed.Frame;
import dev.sluice.protocol.golden.Hex;
import dev.sluice.protocol.message.client.AuthSwitchResponse;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors (see src/test/resources/golden/connection/README.md): each file is fed through the
 * PacketDecoder at every split point and decoded into messages, which must be identical; decoded values are
 * checked against the documented ones, and re-encoding must give the same bytes.
 */
class GoldenTest {
    private static final long PROTOCOL_41 = Capability.CLIENT_PROTOCOL_41;

    private static <T> T single(String file, Function<ByteBuf, T> decoder) {
        List<T> messages = Feed.messagesAtEverySplit(Hex.resource(file), frames -> {
            List<T> list = new ArrayList<>();
            for (Frame f : frames) {
                ByteBuf payload = Unpooled.wrappedBuffer(f.payload());
                list.add(decoder.apply(payload));
                assertThat(payload.isReadable())
                        .as("%s consumed entirely", file)
                        .isFalse();
            }
            return list;
        });
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    /** Re-encodes the message and frames it with the file's sequence id: must equal the file byte for byte. */
    private static <T> void reencodes(String file, T message, BiConsumer<T, ByteBuf> encoder) {
        byte[] golden = Hex.resource(file);
        ByteBuf payload = Unpooled.buffer();
        encoder.accept(message, payload);
        ByteBuf framed = Framing.encode(payload, golden[3] & 0xFF, ByteBufAllocator.DEFAULT);
        assertThat(ByteBufUtil.hexDump(framed)).isEqualTo(Hex.of(golden));
        framed.release();
        payload.release();
    }

    @Test
    void specHandshakeV10() {
        HandshakeV10 h = single("spec-handshake-v10.hex", HandshakeV10::decode);
        assertThat(h.serverVersion()).isEqualTo("5.5.2-m2");
        assertThat(h.connectionId()).isEqualTo(82);
        assertThat(h.capabilities()).isEqualTo(0xffffL);
        assertThat(h.characterSet()).isEqualTo(8);
        assertThat(h.statusFlags()).isEqualTo(ServerStatus.AUTOCOMMIT);
        assertThat(h.authPluginName()).isEmpty();
        assertThat(new String(h.scramble(), StandardCharsets.US_ASCII)).isEqualTo("\"=NP)u9V)d@R\\Uxz|!)K");
        assertThat(h.authPluginData()).hasSize(21);
        reencodes("spec-handshake-v10.hex", h, (m, b) -> m.encode(b));
    }

    @Test
    void specHandshakeResponse41() {
        HandshakeResponse41 r = single("spec-handshake-response41.hex", HandshakeResponse41::decode);
        assertThat(r.capabilities()).isEqualTo(0x000fa68dL);
        assertThat(r.maxPacketSize()).isEqualTo(16777216L);
        assertThat(r.characterSet()).isEqualTo(8);
        assertThat(r.username()).isEqualTo("pam");
        assertThat(Hex.of(r.authResponse())).isEqualTo("ab09eef6bcb1323e61143865c0991d957d75d447");
        assertThat(r.database()).isEqualTo("test");
        assertThat(r.authPluginName()).isEqualTo("mysql_native_password");
        assertThat(r.attributes()).isEmpty();
        reencodes("spec-handshake-response41.hex", r, (m, b) -> m.encode(b));
    }

    @Test
    void specAuthSwitchRequest() {
        AuthSwitchRequest r = single("spec-auth-switch-request.hex", AuthSwitchRequest::decode);
        assertThat(r.pluginName()).isEqualTo("mysql_native_password");
        assertThat(new String(r.scramble(), StandardCharsets.US_ASCII)).isEqualTo("zQg4i6oNy6=rHN/>-b)A");
        assertThat(r.pluginData()).hasSize(21).endsWith(0);
        reencodes("spec-auth-switch-request.hex", r, (m, b) -> m.encode(b));
    }

    @Test
    void specAuthMoreData() {
        AuthMoreData m = single("spec-auth-more-data.hex", AuthMoreData::decode);
        assertThat(m.isPerformFullAuth()).isTrue();
        assertThat(m.isFastAuthOk()).isFalse();
        reencodes("spec-auth-more-data.hex", m, (x, b) -> x.encode(b));
    }

    @Test
    void specOkErrEof() {
        OkPacket ok = single("spec-ok.hex", b -> OkPacket.decode(b, PROTOCOL_41));
        assertThat(ok).isEqualTo(OkPacket.of(0, 0, ServerStatus.AUTOCOMMIT, 0));
        reencodes("spec-ok.hex", ok, (m, b) -> m.encode(b, PROTOCOL_41));

        ErrPacket err = single("spec-err.hex", b -> ErrPacket.decode(b, PROTOCOL_41));
        assertThat(err).isEqualTo(new ErrPacket(1096, "HY000", "No tables used"));
        reencodes("spec-err.hex", err, (m, b) -> m.encode(b, PROTOCOL_41));

        EofPacket eof = single("spec-eof.hex", b -> EofPacket.decode(b, PROTOCOL_41));
        assertThat(eof).isEqualTo(new EofPacket(0, ServerStatus.AUTOCOMMIT));
        reencodes("spec-eof.hex", eof, (m, b) -> m.encode(b, PROTOCOL_41));
    }

    /** A recorded MariaDB login, decoded by position: greeting, response, then switch/OK/ERR. */
    private static List<Object> conversation(List<Frame> frames) {
        List<Object> messages = new ArrayList<>();
        HandshakeV10 greeting =
                HandshakeV10.decode(Unpooled.wrappedBuffer(frames.get(0).payload()));
        messages.add(greeting);
        HandshakeResponse41 response =
                HandshakeResponse41.decode(Unpooled.wrappedBuffer(frames.get(1).payload()));
        messages.add(response);
        long caps = greeting.capabilities() & response.capabilities();
        for (int i = 2; i < frames.size(); i++) {
            ByteBuf p = Unpooled.wrappedBuffer(frames.get(i).payload());
            int first = p.getUnsignedByte(0);
            boolean fromServer = i % 2 == 0;
            if (!fromServer) {
                messages.add(AuthSwitchResponse.decode(p));
            } else if (first == OkPacket.HEADER) {
                messages.add(OkPacket.decode(p, caps));
            } else if (first == ErrPacket.HEADER) {
                messages.add(ErrPacket.decode(p, caps));
            } else {
                messages.add(AuthSwitchRequest.decode(p));
            }
        }
        return messages;
    }

    private static void assertMariaDbGreeting(HandshakeV10 g) {
        assertThat(g.serverVersion()).startsWith("5.5.5-10.11.");
        assertThat(g.capabilities() & Capability.CLIENT_MYSQL)
                .as("MariaDB clears CLIENT_MYSQL")
                .isZero();
        assertThat(Capability.mariadbExtended(g.capabilities())).isEqualTo(0x1d);
        assertThat(g.capabilities())
                .matches(c -> Capability.has(c, Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS))
                .matches(c -> Capability.has(c, Capability.MARIADB_CLIENT_PROGRESS))
                .matches(c -> Capability.has(c, Capability.CLIENT_PLUGIN_AUTH));
        assertThat(g.authPluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        assertThat(g.scramble()).hasSize(20).doesNotContain(0);
        assertThat(g.characterSet()).isEqualTo(8);
    }

    @Test
    void mariadbNativeLogin() {
        List<Object> m = Feed.messagesAtEverySplit(Hex.resource("mariadb-native-login.hex"), GoldenTest::conversation);
        HandshakeV10 greeting = (HandshakeV10) m.get(0);
        assertMariaDbGreeting(greeting);
        HandshakeResponse41 response = (HandshakeResponse41) m.get(1);
        // The server accepted this response, so it is a real known-answer vector for mysql_native_password.
        assertThat(response.authResponse())
                .isEqualTo(NativePassword.scramble("secret".getBytes(StandardCharsets.UTF_8), greeting.scramble()));
        assertThat(response.attributeMap())
                .containsExactly(
                        java.util.Map.entry("_client_name", "sluice-recorder"), java.util.Map.entry("_os", "Linux"));
        assertThat(Capability.has(response.capabilities(), Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS))
                .isTrue();
        OkPacket ok = (OkPacket) m.get(2);
        assertThat(ok.statusFlags() & ServerStatus.SESSION_STATE_CHANGED).isNotZero();
        assertThat(ok.sessionStateChanges()).isNotEmpty();
        assertThat(m).hasSize(3);
        byte[] golden = Hex.resource("mariadb-native-login.hex");
        assertFramesReencode(golden, m);
    }

    @Test
    void mariadbBadPassword() {
        List<Object> m = Feed.messagesAtEverySplit(Hex.resource("mariadb-bad-password.hex"), GoldenTest::conversation);
        assertMariaDbGreeting((HandshakeV10) m.get(0));
        assertThat(m.get(2))
                .isEqualTo(new ErrPacket(
                        1045, "28000", "Access denied for user 'sluice'@'localhost' (using password: YES)"));
        assertFramesReencode(Hex.resource("mariadb-bad-password.hex"), m);
    }

    @Test
    void mariadbAuthSwitch() {
        List<Object> m = Feed.messagesAtEverySplit(Hex.resource("mariadb-auth-switch.hex"), GoldenTest::conversation);
        HandshakeV10 greeting = (HandshakeV10) m.get(0);
        assertMariaDbGreeting(greeting);
        assertThat(((HandshakeResponse41) m.get(1)).authPluginName()).isEqualTo("client_ed25519");
        AuthSwitchRequest sw = (AuthSwitchRequest) m.get(2);
        assertThat(sw.pluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        assertThat(sw.pluginData()).hasSize(21).endsWith(0);
        AuthSwitchResponse answer = (AuthSwitchResponse) m.get(3);
        assertThat(answer.data())
                .isEqualTo(NativePassword.scramble("secret".getBytes(StandardCharsets.UTF_8), sw.scramble()));
        assertThat(m.get(4)).isInstanceOf(OkPacket.class);
        assertFramesReencode(Hex.resource("mariadb-auth-switch.hex"), m);
    }

    /** Every message of a conversation re-encodes to the recorded bytes. */
    private static void assertFramesReencode(byte[] golden, List<Object> messages) {
        HandshakeV10 greeting = (HandshakeV10) messages.get(0);
        HandshakeResponse41 response = (HandshakeResponse41) messages.get(1);
        long caps = greeting.capabilities() & response.capabilities();
        ByteBuf all = Unpooled.buffer();
        int seq = 0;
        for (Object message : messages) {
            ByteBuf payload = Unpooled.buffer();
            if (message instanceof HandshakeV10 h) {
                h.encode(payload);
            } else if (message instanceof HandshakeResponse41 r) {
                r.encode(payload);
            } else if (message instanceof AuthSwitchRequest r) {
                r.encode(payload);
            } else if (message instanceof AuthSwitchResponse r) {
                r.encode(payload);
            } else if (message instanceof OkPacket ok) {
                ok.encode(payload, caps);
            } else if (message instanceof ErrPacket err) {
                err.encode(payload, caps);
            }
            ByteBuf framed = Framing.encode(payload, seq++, ByteBufAllocator.DEFAULT);
            all.writeBytes(framed);
            framed.release();
            payload.release();
        }
        assertThat(ByteBufUtil.hexDump(all)).isEqualTo(Hex.of(golden));
        all.release();
    }
}
