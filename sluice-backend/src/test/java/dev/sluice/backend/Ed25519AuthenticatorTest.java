package dev.sluice.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The client's client_ed25519 steps, without I/O (the real server's side is in sluice-it's Ed25519ServerUserTest):
 * the signature answers the switch's 32 bytes as sent, also when the last of them is 0x00; a login that named the
 * plugin signs the packet that follows, unescaped; no TLS is asked for; a scramble of another size is a protocol
 * error; an account loaded from the servers is refused before anything is signed.
 */
class Ed25519AuthenticatorTest {
    private static final String PASSWORD = "pässwörd";
    private static final byte[] KEY = Ed25519Password.publicKey(PASSWORD.getBytes(StandardCharsets.UTF_8));
    private static final long CAPABILITIES = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_PLUGIN_AUTH;

    private static Authenticator authenticator(ConnectOptions.Builder options) {
        return new Authenticator(options.build(), false, CAPABILITIES);
    }

    private static ConnectOptions.Builder withPassword() {
        return ConnectOptions.builder("127.0.0.1", 3306).user("edu", PASSWORD);
    }

    private static ByteBuf switchTo(String plugin, byte[] data) {
        ByteBuf buf = Unpooled.buffer();
        new AuthSwitchRequest(plugin, data).encode(buf);
        return buf;
    }

    private static byte[] scrambleEndingInNul() {
        byte[] scramble = Ed25519Password.newScramble();
        scramble[31] = 0;
        return scramble;
    }

    @Test
    void switchIsAnsweredWithTheSignatureOfAllThirtyTwoBytesOverAPlainLink() {
        Authenticator auth = authenticator(withPassword());
        auth.initialResponse(NativePassword.PLUGIN_NAME, new byte[20]);
        byte[] scramble = scrambleEndingInNul();

        Authenticator.Step step = auth.onPacket(switchTo(Ed25519Password.PLUGIN_NAME, scramble));

        assertThat(auth.plugin()).isEqualTo("client_ed25519");
        byte[] signature = ((Authenticator.Send) step).payload();
        assertThat(signature).hasSize(64);
        assertThat(Ed25519Password.verify(scramble, signature, KEY)).isTrue();
        assertThat(Ed25519Password.verify(Arrays.copyOf(scramble, 31), signature, KEY))
                .isFalse();
    }

    @Test
    void loginNamingThePluginSignsTheNextPacketWithoutItsEscape() {
        Authenticator auth = authenticator(withPassword());
        assertThat(auth.initialResponse(Ed25519Password.PLUGIN_NAME, new byte[20]))
                .isEmpty();
        byte[] scramble = Ed25519Password.newScramble();
        scramble[0] = (byte) 0xFE; // the server escapes it with 0x01
        byte[] escaped = new byte[33];
        escaped[0] = 0x01;
        System.arraycopy(scramble, 0, escaped, 1, 32);

        byte[] signature = ((Authenticator.Send) auth.onPacket(Unpooled.wrappedBuffer(escaped))).payload();

        assertThat(Ed25519Password.verify(scramble, signature, KEY)).isTrue();
    }

    @Test
    void scrambleOfAnotherSizeIsAProtocolError() {
        Authenticator auth = authenticator(withPassword());
        auth.initialResponse(NativePassword.PLUGIN_NAME, new byte[20]);

        assertThatThrownBy(() -> auth.onPacket(switchTo(Ed25519Password.PLUGIN_NAME, new byte[21])))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("client_ed25519: the server's scramble has 21 bytes (expected: 32)");
    }

    @Test
    void accountLoadedFromTheServersIsRefusedBeforeSigning() {
        Authenticator auth =
                authenticator(ConnectOptions.builder("127.0.0.1", 3306).userWithPasswordSha1("edu", new byte[20]));
        auth.initialResponse(NativePassword.PLUGIN_NAME, new byte[20]);

        assertThatThrownBy(() -> auth.onPacket(switchTo(Ed25519Password.PLUGIN_NAME, scrambleEndingInNul())))
                .isInstanceOf(ServerTrustException.class)
                .hasMessageContaining("uses client_ed25519");
    }
}
