package dev.sluice.proxy.frontend;

import static dev.sluice.proxy.frontend.HandshakeHarness.bytes;
import static dev.sluice.proxy.frontend.HandshakeHarness.err;
import static dev.sluice.proxy.frontend.HandshakeHarness.login;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.proxy.frontend.HandshakeHarness.Frame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code client-auth-plugin: client_ed25519}: the greeting names mysql_native_password (its 20-byte scramble cannot
 * carry ed25519's 32 bytes), every client with a plaintext-configured user is switched to client_ed25519 with 32
 * fresh random bytes, and its signature is verified against the public key of the configured password; a user
 * configured with only a native hash is switched to mysql_native_password instead.
 */
class ClientEd25519HandshakeTest {
    private static final byte[] OK_AUTOCOMMIT = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
    private static final String DENIED = "Access denied for user 'app'@'10.1.2.3' (using password: YES)";

    private final HandshakeHarness h =
            new HandshakeHarness(HandshakeHarness.settings().withDefaultAuthPlugin(Ed25519Password.PLUGIN_NAME));

    @AfterEach
    void close() {
        h.close();
    }

    /** Logs in as {@code user} answering with mysql_native_password; returns the switch Sluice sent. */
    private AuthSwitchRequest switchFor(String user, String plugin) {
        h.sendLogin(1, login(user, h.nativeAuth("secret"), plugin));
        Frame sw = h.next();
        assertThat(sw.seq()).isEqualTo(2);
        return AuthSwitchRequest.decode(sw.buf());
    }

    @Test
    void greetingNamesNativeAndTheClientIsSwitchedToEd25519WithThirtyTwoBytes() {
        assertThat(h.greeting().authPluginName()).isEqualTo(NativePassword.PLUGIN_NAME);

        AuthSwitchRequest req = switchFor("app", NativePassword.PLUGIN_NAME);

        assertThat(req.pluginName()).isEqualTo("client_ed25519");
        assertThat(req.pluginData()).hasSize(32);
        h.send(3, Ed25519Password.sign(bytes("secret"), req.pluginData()));
        Frame ok = h.next();
        assertThat(ok.seq()).isEqualTo(4);
        assertThat(ok.payload()).containsExactly(OK_AUTOCOMMIT);
        assertThat(h.events).hasSize(1);
        assertThat(h.events.get(0).authPlugin()).isEqualTo("client_ed25519");
    }

    /** Even a login naming client_ed25519 gets the switch: only the switch carries the bytes to sign. */
    @Test
    void aLoginNamingEd25519IsSwitchedToo() {
        AuthSwitchRequest req = switchFor("app", Ed25519Password.PLUGIN_NAME);

        assertThat(req.pluginName()).isEqualTo("client_ed25519");
        h.send(3, Ed25519Password.sign(bytes("secret"), req.pluginData()));
        assertThat(h.next().payload()).containsExactly(OK_AUTOCOMMIT);
    }

    @Test
    void aSignatureWithAnotherPasswordIsAccessDenied() {
        AuthSwitchRequest req = switchFor("app", NativePassword.PLUGIN_NAME);

        h.send(3, Ed25519Password.sign(bytes("secreT"), req.pluginData()));
        Frame e = h.next();
        assertThat(e.seq()).isEqualTo(4);
        assertThat(e.payload()).containsExactly(err(1045, "28000", DENIED));
        assertThat(h.events).isEmpty();
    }

    @Test
    void aSignatureOfAnotherScrambleIsAccessDenied() {
        AuthSwitchRequest req = switchFor("app", NativePassword.PLUGIN_NAME);
        byte[] other = req.pluginData();
        other[0] ^= 1;

        h.send(3, Ed25519Password.sign(bytes("secret"), other));
        assertThat(h.next().payload()).containsExactly(err(1045, "28000", DENIED));
    }

    @Test
    void aUserWithOnlyANativeHashIsSwitchedToNative() {
        h.sendLogin(1, login("hashonly", new byte[] {1, 2, 3}, Ed25519Password.PLUGIN_NAME));
        AuthSwitchRequest req = AuthSwitchRequest.decode(h.next().buf());

        assertThat(req.pluginName()).isEqualTo(NativePassword.PLUGIN_NAME);
        h.send(3, NativePassword.scramble(bytes("hashpw"), req.scramble()));
        assertThat(h.next().payload()).containsExactly(OK_AUTOCOMMIT);
    }
}
