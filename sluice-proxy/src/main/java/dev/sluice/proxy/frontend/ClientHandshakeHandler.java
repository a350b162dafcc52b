package dev.sluice.proxy.frontend;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.auth.RsaPem;
import dev.sluice.protocol.compress.Compressing;
import dev.sluice.protocol.compress.Compression;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.FrameTap;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketEncoder;
import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.accounts.LoadedLogin;
import dev.sluice.proxy.accounts.ServerAccount;
import dev.sluice.proxy.accounts.ServerAccounts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.session.ProxyErrors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the connection phase for one client: greeting, optional TLS upgrade (SSLRequest),
 * HandshakeResponse41, authentication (mysql_native_password, caching_sha2_password with fast path, full
 * authentication over TLS or RSA, one AuthSwitchRequest when needed), then the final OK.
 *
 * <p>On success it writes OK, resets the {@link PacketSequence} (the first command carries id 0), fires an
 * {@link AuthenticatedClient} user event to the handlers after it and removes itself. On failure it writes the
 * ERR a server would send and closes. Everything runs on the channel's event loop; a deadline
 * ({@link FrontendSettings#handshakeTimeout()}) covers the whole phase, TLS included.
 *
 * <p>Which plugin: the greeting names {@link FrontendSettings#defaultAuthPlugin()}, and every user authenticates
 * with it, except that a user configured with only a native hash cannot use caching_sha2_password and uses
 * mysql_native_password. A client answering with another plugin (or an unknown one, or none) gets one
 * AuthSwitchRequest to that plugin with a fresh scramble, as a server does for an account's plugin. client_ed25519
 * (a user with a plaintext password) is never named in the greeting and always reached by a switch carrying its
 * 32-byte scramble; the client's signature is checked against the password's public key. A client
 * without CLIENT_PLUGIN_AUTH cannot be switched and is verified with mysql_native_password.
 *
 * <p>A user not configured may be an account loaded from the servers ({@link ServerAccounts}, when
 * users-from-server is on): the account the server would pick for the client's address, or, when none matches,
 * the same after a refresh the login waits for (within its deadline). Such an account logs in with
 * mysql_native_password against its stored hash ({@link LoadedLogin}).
 */
public final class ClientHandshakeHandler extends ChannelInboundHandlerAdapter {
    public static final String DECODER = "packet-decoder";
    public static final String ENCODER = "packet-encoder";
    public static final String NAME = "client-handshake";
    public static final String TLS = "tls";

    /**
     * The largest packet a client may send before it is authenticated (login, auth-switch and full-authentication
     * answers). A login is a few hundred bytes plus its connection attributes, which MySQL caps at 64 KiB (client
     * library and server alike); 4 KiB more cover user, database and plugin names and the longest authentication
     * data (an RSA-encrypted password for a 4096-bit key is 512 bytes). A larger packet is refused with ERR 1043
     * (Bad handshake) as soon as its header is read, so a client that is not yet anyone cannot make Sluice buffer
     * {@code max-packet-size} (64 MiB) per connection. The session's {@code max-packet-size} applies after the login.
     */
    public static final int MAX_LOGIN_PACKET = 68 * 1024;

    static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.connection");

    private enum State {
        NEW,
        AWAIT_LOGIN,
        AWAIT_TLS_LOGIN,
        /** The login names a user Sluice does not know; the accounts of the servers are being read again. */
        AWAIT_ACCOUNTS,
        AWAIT_SWITCH_RESPONSE,
        AWAIT_FULL_AUTH,
        AWAIT_RSA_PASSWORD,
        DONE
    }

    private final FrontendSettings settings;
    private final PacketSequence sequence;
    /** Accounts loaded from the servers; null when users-from-server is off. */
    private final ServerAccounts accounts;

    private ChannelHandlerContext ctx;
    private State state = State.NEW;
    private long connectionId;
    private String clientHost = "?";
    private ScheduledFuture<?> deadline;
    private byte[] scramble;
    /** SSLRequest accepted: the SslHandler is in place (its handshake may still be running). */
    private boolean tls;

    private boolean tlsEstablished;
    private HandshakeResponse41 login;
    private long negotiated;
    private UserConfig user;
    /** The plugin whose response is expected next (after a switch, the one switched to). */
    private String plugin;
    /** The account loaded from the servers the client logs in as; null for a configured user. */
    private ServerAccount loaded;

    public ClientHandshakeHandler(FrontendSettings settings, PacketSequence sequence) {
        this(settings, sequence, null);
    }

    public ClientHandshakeHandler(FrontendSettings settings, PacketSequence sequence, ServerAccounts accounts) {
        this.settings = settings;
        this.sequence = sequence;
        this.accounts = accounts;
    }

    /**
     * Adds the packet codec and this handler to a freshly accepted client channel: {@link #DECODER},
     * {@link #ENCODER} and {@link #NAME}, sharing one {@link PacketSequence}. Add the session's handler after
     * them; it receives the {@link AuthenticatedClient} event and then the client's commands.
     */
    public static ClientHandshakeHandler install(ChannelPipeline pipeline, FrontendSettings settings) {
        return install(pipeline, settings, null);
    }

    /** As {@link #install(ChannelPipeline, FrontendSettings)}, with accounts loaded from the servers (or null). */
    public static ClientHandshakeHandler install(
            ChannelPipeline pipeline, FrontendSettings settings, ServerAccounts accounts) {
        return install(pipeline, settings, accounts, null);
    }

    /**
     * As {@link #install(ChannelPipeline, FrontendSettings, ServerAccounts)}, with {@code tap} (or null) shown every
     * packet of the connection from the greeting on, in both directions (it stays on the decoder TLS puts in place).
     */
    public static ClientHandshakeHandler install(
            ChannelPipeline pipeline, FrontendSettings settings, ServerAccounts accounts, FrameTap tap) {
        PacketSequence sequence = new PacketSequence();
        ClientHandshakeHandler handler = new ClientHandshakeHandler(settings, sequence, accounts);
        PacketDecoder decoder = new PacketDecoder(sequence, loginPacketLimit(settings));
        decoder.tap(tap);
        PacketEncoder encoder = new PacketEncoder(sequence);
        encoder.tap(tap);
        pipeline.addLast(DECODER, decoder);
        pipeline.addLast(ENCODER, encoder);
        pipeline.addLast(NAME, handler);
        return handler;
    }

    private static int loginPacketLimit(FrontendSettings settings) {
        return Math.min(MAX_LOGIN_PACKET, settings.maxPacketSize());
    }

    /** Sluice's id for this client; 0 until the greeting was sent. */
    public long connectionId() {
        return connectionId;
    }

    // ---- lifecycle -------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    private void start() {
        if (state != State.NEW) {
            return;
        }
        state = State.AWAIT_LOGIN;
        connectionId = settings.connectionIds().getAsLong() & 0xFFFF_FFFFL;
        clientHost = host(ctx.channel().remoteAddress());
        long millis = settings.handshakeTimeout().toMillis();
        deadline = ctx.executor().schedule(() -> onDeadline(millis), millis, TimeUnit.MILLISECONDS);
        scramble = Scrambles.next();
        HandshakeV10 greeting = new HandshakeV10(
                settings.serverVersion(),
                connectionId,
                Scrambles.withNul(scramble),
                settings.capabilities(),
                settings.characterSet(),
                settings.statusFlags(),
                settings.greetingAuthPlugin());
        send(greeting::encode);
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.DONE) {
            state = State.DONE;
            cancelDeadline();
            LOG.info(
                    "session {}: handshake aborted from {}: the client closed the connection{}",
                    connectionId,
                    clientHost,
                    user == null ? "" : " (user " + user.name() + ")");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    private void onDeadline(long millis) {
        if (state == State.DONE) {
            return;
        }
        String reason = "no login within " + millis + " ms (client handshake timeout)";
        if (tls && !tlsEstablished) {
            // An ERR written now would wait inside the SslHandler for a handshake that is not coming.
            failWithoutErr(reason + ", during the TLS handshake");
        } else {
            fail(ProxyErrors.badHandshake("handshake timed out after " + millis + " ms"), reason);
        }
    }

    // ---- inbound ---------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Packet packet)) {
            ReferenceCountUtil.release(msg);
            fail(
                    ProxyErrors.internalError("unexpected " + msg.getClass().getSimpleName()),
                    "pipeline delivered " + msg.getClass().getName() + " instead of a packet");
            return;
        }
        try {
            onPacket(packet.payload());
        } catch (ProtocolException e) {
            fail(ProxyErrors.badHandshake(e.getMessage()), "bad packet: " + e.getMessage());
        } finally {
            packet.release();
        }
        ctx.flush();
    }

    private void onPacket(ByteBuf payload) {
        switch (state) {
            case AWAIT_LOGIN -> {
                if (SslRequest.isSslRequest(payload)) {
                    startTls(SslRequest.decode(payload));
                } else {
                    onLogin(payload);
                }
            }
            case AWAIT_TLS_LOGIN -> {
                if (SslRequest.isSslRequest(payload)) {
                    throw new ProtocolException("SSLRequest: a second one, inside TLS");
                }
                onLogin(payload);
            }
            case AWAIT_ACCOUNTS -> throw new ProtocolException("a packet before the answer to the login");
            case AWAIT_SWITCH_RESPONSE -> verify(plugin, ByteBufUtil.getBytes(payload));
            case AWAIT_FULL_AUTH -> onFullAuth(ByteBufUtil.getBytes(payload));
            case AWAIT_RSA_PASSWORD -> onRsaPassword(ByteBufUtil.getBytes(payload));
            case DONE -> {
                // After a failure the connection is closing; whatever else the client sent is dropped.
            }
            case NEW -> throw new IllegalStateException("packet before the greeting was sent");
            default -> throw new IllegalStateException("state: " + state);
        }
    }

    /**
     * The SslHandler takes the packet decoder's place and a fresh decoder (same sequence, same name) goes after
     * it. The old decoder may already hold the start of the TLS ClientHello, read together with the SSLRequest;
     * Netty hands a removed decoder's remaining bytes to the next handler, which at that moment is the
     * SslHandler (replace links the old context to the new one). Those bytes are only handshake records, so no
     * application data can pass before the new decoder is in place.
     */
    private void startTls(SslRequest request) {
        if (settings.sslContext() == null) {
            throw new ProtocolException("SSLRequest: TLS is not enabled on this listener (CLIENT_SSL not offered)");
        }
        ChannelPipeline pipeline = ctx.pipeline();
        ChannelHandlerContext decoder = pipeline.context(PacketDecoder.class);
        if (decoder == null) {
            throw new IllegalStateException("no PacketDecoder before the handshake handler");
        }
        String decoderName = decoder.name();
        SslHandler ssl = settings.sslContext().newHandler(ctx.alloc());
        ssl.setHandshakeTimeoutMillis(0); // the handshake deadline already covers TLS; one timer, one log line
        tls = true;
        state = State.AWAIT_TLS_LOGIN;
        pipeline.replace(decoder.handler(), TLS, ssl);
        PacketDecoder afterTls = new PacketDecoder(sequence, loginPacketLimit(settings));
        afterTls.tap(((PacketDecoder) decoder.handler()).tap());
        pipeline.addAfter(TLS, decoderName, afterTls);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent completion && state != State.DONE) {
            if (completion.isSuccess()) {
                tlsEstablished = true;
            } else {
                failWithoutErr("TLS handshake failed: " + describe(completion.cause()));
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void onLogin(ByteBuf payload) {
        HandshakeResponse41 response = HandshakeResponse41.decode(payload).requireProtocol41();
        login = response;
        negotiated = response.capabilities() & settings.capabilities();
        if (settings.tlsRequired() && !tls) {
            fail(
                    ProxyErrors.insecureTransport(),
                    "user " + response.username() + " did not switch to TLS, which is required");
            return;
        }
        user = settings.users().apply(response.username());
        if (user == null && accounts != null) {
            findLoaded(response);
            return;
        }
        if (user == null) {
            deny(response.authResponse().length > 0, "no such user");
            return;
        }
        authenticate(response);
    }

    /** A user not configured: an account of the servers, as loaded, or after a refresh the login waits for. */
    private void findLoaded(HandshakeResponse41 response) {
        ServerAccount known = accounts.current().match(response.username(), clientHost);
        if (known != null) {
            useLoaded(known, response);
            return;
        }
        state = State.AWAIT_ACCOUNTS;
        accounts.refresh()
                .whenComplete((snapshot, failure) -> ctx.executor().execute(() -> {
                    if (state != State.AWAIT_ACCOUNTS) {
                        return; // the deadline passed, or the client left
                    }
                    ServerAccount found = snapshot == null ? null : snapshot.match(response.username(), clientHost);
                    try {
                        if (found == null) {
                            deny(
                                    response.authResponse().length > 0,
                                    "no such user: not configured, and no account of the servers matches after a"
                                            + " refresh");
                        } else {
                            state = tls ? State.AWAIT_TLS_LOGIN : State.AWAIT_LOGIN;
                            useLoaded(found, response);
                        }
                    } catch (RuntimeException e) {
                        exceptionCaught(ctx, e); // outside channelRead: answered the same way
                    }
                    ctx.flush();
                }));
    }

    private void useLoaded(ServerAccount account, HandshakeResponse41 response) {
        if (!LoadedLogin.supportedPlugin(account)) {
            fail(
                    ProxyErrors.loadedAccountPlugin(response.username(), clientHost, account.plugin()),
                    "account " + account + " loaded from the servers: its plugin is not mysql_native_password");
            return;
        }
        loaded = account;
        user = LoadedLogin.candidate(response.username(), account);
        authenticate(response);
    }

    private void authenticate(HandshakeResponse41 response) {
        // As a server does with an account's plugin: the configured plugin when this user can use it (a user
        // with only a native hash cannot use caching_sha2_password or client_ed25519), else mysql_native_password.
        String target = settings.defaultAuthPlugin();
        if (!NativePassword.PLUGIN_NAME.equals(target) && !Credentials.hasPlaintext(user)) {
            target = NativePassword.PLUGIN_NAME; // caching_sha2_password and client_ed25519 need the plaintext
        }
        boolean ed25519 = Ed25519Password.PLUGIN_NAME.equals(target);
        if (!Capability.has(response.capabilities(), Capability.CLIENT_PLUGIN_AUTH)) {
            // A client without plugin auth cannot be switched; it speaks 4.1 native auth, which every user has.
            plugin = NativePassword.PLUGIN_NAME;
            verify(plugin, response.authResponse());
        } else if (target.equals(response.authPluginName()) && !ed25519) {
            plugin = target;
            verify(plugin, response.authResponse());
        } else {
            // Another plugin (MariaDB Connector/J always starts with native), an unknown one, or none; and always
            // client_ed25519, whose scramble only a switch carries
            switchTo(target);
        }
    }

    /** AuthSwitchRequest with a fresh scramble; the client answers with an AuthSwitchResponse. */
    private void switchTo(String newPlugin) {
        plugin = newPlugin;
        boolean ed25519 = Ed25519Password.PLUGIN_NAME.equals(newPlugin);
        scramble = ed25519 ? Ed25519Password.newScramble() : Scrambles.next();
        state = State.AWAIT_SWITCH_RESPONSE;
        send(new AuthSwitchRequest(newPlugin, ed25519 ? scramble : Scrambles.withNul(scramble))::encode);
    }

    private void verify(String pluginName, byte[] response) {
        if (loaded != null) {
            verifyLoaded(response); // always mysql_native_password (the candidate has no plaintext)
        } else if (NativePassword.PLUGIN_NAME.equals(pluginName)) {
            boolean ok;
            try {
                ok = Credentials.verifyNative(user, scramble, response);
            } catch (IllegalArgumentException e) {
                deny(response.length > 0, "the configured password-hash is malformed");
                return;
            }
            if (ok) {
                succeed();
            } else {
                deny(
                        response.length > 0,
                        Credentials.hasEmptyPassword(user) ? "a password was given, none is set" : "wrong password");
            }
        } else if (Ed25519Password.PLUGIN_NAME.equals(pluginName)) {
            if (Credentials.verifyEd25519(user, scramble, response)) {
                succeed();
            } else {
                deny(response.length > 0, "wrong password (client_ed25519 signature)");
            }
        } else {
            verifySha2(response);
        }
    }

    /** As the server: the password first, then the lock (a locked account does not tell strangers it exists). */
    private void verifyLoaded(byte[] response) {
        UserConfig proven = LoadedLogin.prove(login.username(), loaded, scramble, response);
        if (proven == null) {
            deny(response.length > 0, "wrong password (account " + loaded + " loaded from the servers)");
        } else if (loaded.locked()) {
            fail(ProxyErrors.accountLocked(), "account " + loaded + " is locked (ACCOUNT LOCK)");
        } else {
            user = proven;
            succeed();
        }
    }

    private void verifySha2(byte[] response) {
        if (response.length == 1 && response[0] == 0) {
            // Connector/J sends an empty password as one NUL (its cleartext form); MySQL accepts both forms.
            response = new byte[0];
        }
        String password = user.password();
        if (response.length == 0 || password.isEmpty()) {
            // An empty password is an empty response: no scramble, no full authentication (as on MySQL).
            if (response.length == 0 && password.isEmpty()) {
                succeed();
            } else {
                deny(response.length > 0, response.length == 0 ? "no password given" : "wrong password");
            }
            return;
        }
        byte[] cached = settings.sha2Cache().lookup(user.name(), password);
        if (cached != null && Credentials.verifySha2Cached(scramble, response, cached)) {
            send(AuthMoreData.of(AuthMoreData.FAST_AUTH_OK)::encode);
            succeed();
            return;
        }
        // Not cached, or a scramble that does not match the cache: MySQL asks for the password itself either way.
        state = State.AWAIT_FULL_AUTH;
        send(AuthMoreData.of(AuthMoreData.PERFORM_FULL_AUTH)::encode);
    }

    private void onFullAuth(byte[] data) {
        if (tls) {
            fullAuthResult(Credentials.matchesPassword(user, Credentials.stripNul(data)));
        } else if (data.length == 1 && data[0] == AuthMoreData.REQUEST_PUBLIC_KEY) {
            state = State.AWAIT_RSA_PASSWORD;
            byte[] pem = RsaPem.encodePublicKey(settings.rsaPublicKey()).getBytes(StandardCharsets.US_ASCII);
            send(new AuthMoreData(pem)::encode);
        } else {
            onRsaPassword(data); // a client that already had the public key (e.g. from a file)
        }
    }

    private void onRsaPassword(byte[] encrypted) {
        byte[] password;
        try {
            password = CachingSha2Password.decryptPassword(encrypted, scramble, settings.rsaPrivateKey());
        } catch (ProtocolException e) {
            // MySQL answers an undecryptable password (or a cleartext one sent without TLS) as a wrong one.
            deny(true, "the RSA-encrypted password could not be decrypted (" + encrypted.length + " bytes)");
            return;
        }
        fullAuthResult(Credentials.matchesPassword(user, password));
    }

    private void fullAuthResult(boolean matches) {
        if (matches) {
            settings.sha2Cache().put(user.name(), user.password());
            succeed();
        } else {
            deny(true, "wrong password (full authentication" + (tls ? " over TLS" : " with RSA") + ")");
        }
    }

    // ---- outcomes --------------------------------------------------------------------------------------

    private void succeed() {
        state = State.DONE;
        cancelDeadline();
        OkPacket ok = OkPacket.of(0, 0, settings.statusFlags(), 0);
        send(out -> ok.encode(out, negotiated));
        ctx.flush();
        sequence.reset(); // the client's first command carries sequence id 0
        ctx.pipeline().get(PacketDecoder.class).maxPacketSize(settings.maxPacketSize()); // commands may be large
        Compression compression = Compression.negotiated(negotiated);
        if (compression != null) {
            // compressed from the first packet after the OK on; zstd at the level the client asked for
            Compressing.install(
                    ctx.pipeline(), sequence, compression, login.zstdCompressionLevel(), settings.maxPacketSize());
        }
        LOG.info(
                "session {}: authenticated user {}{} from {} (tls={}, plugin={}, compression={})",
                connectionId,
                user.name(),
                loaded == null ? "" : " (account " + loaded.account() + " loaded from the servers)",
                clientHost,
                tls ? "yes" : "no",
                plugin,
                compression == null ? "off" : compression.configName());
        AuthenticatedClient client = new AuthenticatedClient(
                connectionId,
                user,
                negotiated,
                login.maxPacketSize(),
                login.characterSet(),
                login.database(),
                login.attributeMap(),
                tls,
                plugin,
                clientHost,
                sequence);
        ctx.fireUserEventTriggered(client);
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    private void deny(boolean usingPassword, String reason) {
        String name = login.username();
        fail(ProxyErrors.accessDenied(name, clientHost, usingPassword), reason);
    }

    /** Logs, writes {@code err} and closes. No-op after the outcome is decided. */
    private void fail(ErrPacket err, String reason) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancelDeadline();
        logFailure(reason);
        if (!ctx.channel().isActive() || (tls && !tlsEstablished)) {
            ctx.fireUserEventTriggered(new LoginFailure(0));
            closeIfOpen();
            return;
        }
        ctx.fireUserEventTriggered(new LoginFailure(err.errorCode()));
        ByteBuf out = ctx.alloc().buffer();
        err.encode(out, CapabilityPolicy.BEFORE_LOGIN);
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    private void failWithoutErr(String reason) {
        if (state == State.DONE) {
            return;
        }
        state = State.DONE;
        cancelDeadline();
        logFailure(reason);
        ctx.fireUserEventTriggered(new LoginFailure(0));
        closeIfOpen();
    }

    /** A channel already closing (e.g. by the SslHandler after a TLS failure) is not closed again. */
    private void closeIfOpen() {
        if (ctx.channel().isOpen()) {
            ctx.close();
        }
    }

    private void logFailure(String reason) {
        if (login != null) {
            LOG.info(
                    "session {}: authentication failed for {} from {}: {}",
                    connectionId,
                    login.username(),
                    clientHost,
                    reason);
        } else {
            LOG.info("session {}: handshake failed from {}: {}", connectionId, clientHost, reason);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException) {
            fail(ProxyErrors.badHandshake(c.getMessage()), "bad packet: " + c.getMessage());
        } else if (c instanceof SSLException) {
            failWithoutErr("TLS handshake failed: " + describe(c));
        } else if (c instanceof IOException) {
            failWithoutErr("connection error: " + describe(c));
        } else if (state == State.DONE) {
            ctx.close();
        } else {
            // Not the peer's doing: a bug in Sluice, worth its stack trace.
            LOG.warn("session {}: unexpected error during the handshake from {}", connectionId, clientHost, c);
            fail(ProxyErrors.internalError(describe(c)), "internal error: " + describe(c));
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------------

    /** Writes one payload; the encoder stamps its sequence id now, on this event loop. */
    private void send(Consumer<ByteBuf> encoder) {
        ByteBuf out = ctx.alloc().buffer();
        try {
            encoder.accept(out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        ctx.write(out);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(address);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }
}
