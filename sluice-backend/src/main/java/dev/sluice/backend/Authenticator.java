package dev.sluice.backend;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.auth.RsaPem;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

/**
 * The client's half of the authentication exchange, without I/O: given the plugin and scramble of the
 * greeting it produces the first auth response, then reacts to each packet the server sends until an OK
 * or ERR: AuthSwitchRequest (start over with another plugin and scramble) and, for caching_sha2_password,
 * AuthMoreData (fast-auth success, or full authentication: the cleartext password over TLS, or the password
 * RSA-encrypted with the server's key, which it may first have to request).
 *
 * <p>Supported plugins: mysql_native_password, caching_sha2_password, mysql_clear_password, client_ed25519
 * (MariaDB: the server's 32-byte scramble signed with the password's key, {@link Ed25519Password}; a signature
 * reveals nothing reusable, so it needs no TLS, like mysql_native_password). A password goes in a
 * form a peer on the path could read (mysql_clear_password; caching_sha2_password full authentication, which
 * over TLS is the password as is) only over a TLS link whose certificate was verified ({@code verify-ca},
 * {@code verify-identity}) or when the options allow it explicitly; otherwise the login fails with a {@link
 * ServerTrustException} before the password leaves (DESIGN invariant 13). The RSA exchange of
 * caching_sha2_password without TLS needs the server's key pinned, or an explicit opt-in to ask for it.
 * Public because COM_CHANGE_USER runs the same exchange on an established connection (the proxy's relay).
 */
public final class Authenticator {
    static final String CLEAR_PASSWORD = "mysql_clear_password";
    private static final String REMEDY = "Verify the server's certificate (tls: verify-ca or verify-identity, with"
            + " tls-ca), or allow it for this server (allow-cleartext-password: true)";

    /** What to do after a server packet. */
    public sealed interface Step {}

    /** Send this payload (sequence id is stamped by the framing). */
    public record Send(byte[] payload) implements Step {}

    /** Nothing to send; wait for the next packet. */
    public record Wait() implements Step {}

    /** Logged in. */
    public record Done(OkPacket ok) implements Step {}

    private final byte[] password;
    /** SHA1(password) instead of the password (mysql_native_password only), or null. */
    private final byte[] passwordSha1;

    private final boolean tls;
    private final boolean cleartextAllowed;
    private final TlsMode tlsMode;
    private final RSAPublicKey knownKey;
    private final boolean allowKeyRetrieval;
    private final long capabilities;
    private final String server;
    private final String user;
    private String plugin;
    private byte[] scramble;
    private boolean awaitingKey;
    /** client_ed25519 named in the login packet: the server's next packet is the scramble to sign. */
    private boolean awaitingEd25519Scramble;

    /**
     * @param tls the link is TLS; in a verifying mode of {@code options} that means its certificate passed the
     *     check, since the handshake fails otherwise
     */
    public Authenticator(ConnectOptions options, boolean tls, long capabilities) {
        this.server = options.host() + ":" + options.port();
        this.user = options.user();
        this.password = options.password().getBytes(StandardCharsets.UTF_8);
        this.passwordSha1 = options.passwordSha1();
        this.tls = tls;
        this.tlsMode = options.tls().mode();
        this.cleartextAllowed = (tls && tlsMode.verifiesCertificate()) || options.allowCleartextPassword();
        this.knownKey = options.serverPublicKey();
        this.allowKeyRetrieval = options.allowPublicKeyRetrieval();
        this.capabilities = capabilities;
    }

    /** The plugin the current response is for (the one named in the login packet at first). */
    public String plugin() {
        return plugin;
    }

    /** The auth response for the login packet; an unknown plugin gets an empty one and, usually, a switch. */
    public byte[] initialResponse(String pluginName, byte[] seed) {
        plugin = pluginName.isEmpty() ? NativePassword.PLUGIN_NAME : pluginName;
        scramble = seed;
        if (passwordSha1 != null && !NativePassword.PLUGIN_NAME.equals(plugin)) {
            return new byte[0]; // the server switches to the account's plugin, refused then if it is not native
        }
        if (Ed25519Password.PLUGIN_NAME.equals(plugin)) {
            // the greeting's scramble is not the one to sign: the server sends its 32 bytes after this packet
            awaitingEd25519Scramble = true;
            return new byte[0];
        }
        return supported(plugin) ? respond() : new byte[0];
    }

    public Step onPacket(ByteBuf payload) {
        int header = payload.getUnsignedByte(payload.readerIndex());
        if (awaitingEd25519Scramble && header != ErrPacket.HEADER && header != AuthSwitchRequest.HEADER) {
            awaitingEd25519Scramble = false;
            return new Send(ed25519(ed25519Scramble(ByteBufUtil.getBytes(payload), true)));
        }
        switch (header) {
            case OkPacket.HEADER:
                return new Done(OkPacket.decode(payload, capabilities));
            case ErrPacket.HEADER:
                throw new ServerException(
                        ErrPacket.decode(payload, capabilities),
                        server + ": authentication as '" + user + "' (" + plugin + ") refused");
            case AuthSwitchRequest.HEADER: {
                AuthSwitchRequest request = AuthSwitchRequest.decode(payload);
                plugin = request.pluginName();
                awaitingEd25519Scramble = false;
                // client_ed25519's 32 random bytes may end in a NUL that is not a terminator
                scramble = Ed25519Password.PLUGIN_NAME.equals(plugin)
                        ? ed25519Scramble(request.pluginData(), false)
                        : request.scramble();
                if (passwordSha1 != null && !NativePassword.PLUGIN_NAME.equals(plugin)) {
                    throw new ServerTrustException(
                            ServerTrustException.Reason.PASSWORD,
                            server + ": the account '" + user + "' uses " + plugin + "; an account loaded from the"
                                    + " servers (users-from-server) logs in with mysql_native_password only");
                }
                if (CLEAR_PASSWORD.equals(plugin) && !cleartextAllowed) {
                    throw new ServerTrustException(
                            ServerTrustException.Reason.PASSWORD,
                            server
                                    + ": the server asked for the password in clear (" + CLEAR_PASSWORD + ") "
                                    + linkState()
                                    + "; not sent. " + REMEDY);
                }
                if (!supported(plugin)) {
                    throw new ProtocolException("AuthSwitchRequest: plugin '" + plugin
                            + "' is not supported (supported: mysql_native_password, caching_sha2_password, "
                            + Ed25519Password.PLUGIN_NAME + ", " + CLEAR_PASSWORD + ")");
                }
                return new Send(respond());
            }
            case AuthMoreData.HEADER:
                return onMoreData(AuthMoreData.decode(payload));
            default:
                throw new ProtocolException("authentication: unexpected packet with header 0x"
                        + Integer.toHexString(header) + " while using " + plugin);
        }
    }

    private Step onMoreData(AuthMoreData more) {
        if (!CachingSha2Password.PLUGIN_NAME.equals(plugin)) {
            throw new ProtocolException("AuthMoreData: unexpected for plugin " + plugin);
        }
        if (awaitingKey) {
            awaitingKey = false;
            RSAPublicKey key = RsaPem.parsePublicKey(more.data());
            return new Send(CachingSha2Password.encryptPassword(password, scramble, key));
        }
        if (more.isFastAuthOk()) {
            return new Wait();
        }
        if (!more.isPerformFullAuth()) {
            throw new ProtocolException("AuthMoreData: " + more + " (expected: 0x03 fast auth ok or 0x04 full auth)");
        }
        if (tls) {
            // over TLS the server reads the next packet as the password itself, never as RSA
            if (!cleartextAllowed) {
                throw new ServerTrustException(
                        ServerTrustException.Reason.PASSWORD,
                        server
                                + ": caching_sha2_password full authentication sends the password in clear inside TLS, "
                                + linkState() + "; not sent. " + REMEDY);
            }
            return new Send(CachingSha2Password.cleartext(password));
        }
        if (knownKey != null) {
            return new Send(CachingSha2Password.encryptPassword(password, scramble, knownKey));
        }
        if (allowKeyRetrieval) {
            awaitingKey = true;
            return new Send(new byte[] {AuthMoreData.REQUEST_PUBLIC_KEY});
        }
        throw new ServerTrustException(
                ServerTrustException.Reason.PASSWORD,
                server
                        + ": caching_sha2_password full authentication without TLS needs the server's RSA public key:"
                        + " pin it (server-public-key: FILE, the server's caching_sha2_password_public_key_path), or allow"
                        + " fetching it from the server (allow-public-key-retrieval: true; a peer on the path could answer"
                        + " with its own key), or use TLS (tls: verify-ca or verify-identity); none is configured");
    }

    /**
     * client_ed25519's scramble: exactly 32 bytes, from an AuthSwitchRequest's data as is (a trailing NUL is one of
     * the random bytes), or from the packet that follows a login naming the plugin, where the server puts 0x01 in
     * front of data that starts with 0x01, 0xFE or 0xFF.
     */
    private static byte[] ed25519Scramble(byte[] data, boolean rawPacket) {
        if (rawPacket && data.length == Ed25519Password.SCRAMBLE_LENGTH + 1 && data[0] == AuthMoreData.HEADER) {
            return Arrays.copyOfRange(data, 1, data.length);
        }
        if (data.length != Ed25519Password.SCRAMBLE_LENGTH) {
            throw new ProtocolException("client_ed25519: the server's scramble has " + data.length
                    + " bytes (expected: " + Ed25519Password.SCRAMBLE_LENGTH + ")");
        }
        return data;
    }

    private byte[] ed25519(byte[] serverScramble) {
        scramble = serverScramble;
        return Ed25519Password.sign(password, serverScramble);
    }

    private String linkState() {
        return tls
                ? "but its TLS certificate was not verified (tls: " + tlsMode.configName() + ")"
                : "but the link is not encrypted (tls: " + tlsMode.configName() + ")";
    }

    private boolean supported(String name) {
        return NativePassword.PLUGIN_NAME.equals(name)
                || CachingSha2Password.PLUGIN_NAME.equals(name)
                || Ed25519Password.PLUGIN_NAME.equals(name)
                || (CLEAR_PASSWORD.equals(name) && cleartextAllowed);
    }

    private byte[] respond() {
        if (NativePassword.PLUGIN_NAME.equals(plugin)) {
            return passwordSha1 != null
                    ? NativePassword.scrambleFromStage1(passwordSha1, scramble)
                    : NativePassword.scramble(password, scramble);
        } else if (CachingSha2Password.PLUGIN_NAME.equals(plugin)) {
            return CachingSha2Password.scramble(password, scramble);
        } else if (Ed25519Password.PLUGIN_NAME.equals(plugin)) {
            return ed25519(scramble);
        }
        return CachingSha2Password.cleartext(password);
    }
}
