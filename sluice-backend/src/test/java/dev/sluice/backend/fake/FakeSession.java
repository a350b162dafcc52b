package dev.sluice.backend.fake;

import dev.sluice.backend.fake.FakeMysqlServer.Behaviour;
import dev.sluice.backend.fake.Received.Kind;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.auth.RsaPem;
import dev.sluice.protocol.binary.ColumnFlags;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.AuthMoreData;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.ColumnCount;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.EofPacket;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.TextRow;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's side of one connection to the {@link FakeMysqlServer}: greeting, optional TLS upgrade, the
 * scripted authentication exchange, then a tiny command phase. Runs on the fake's event loop.
 *
 * <p>caching_sha2_password is scripted as MySQL does it: a correct scramble with a cache entry gets
 * AuthMoreData 0x03 and OK; anything else (no entry, or a scramble that does not match) gets 0x04, full
 * authentication, whose password is then checked (cleartext inside TLS; otherwise RSA, the key sent on
 * request 0x02). A successful full authentication fills the cache, as on MySQL.
 */
final class FakeSession extends SimpleChannelInboundHandler<Packet> {
    static final String DECODER = "decoder";
    /** Sends the password as is (plus a NUL); real servers use it for PAM/LDAP accounts. */
    static final String CLEAR_PASSWORD = "mysql_clear_password";

    private static final long SERVER_CAPABILITIES = Capability.CLIENT_MYSQL
            | Capability.CLIENT_FOUND_ROWS
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_CONNECT_WITH_DB
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK
            | Capability.CLIENT_DEPRECATE_EOF;
    private static final int UTF8MB4_0900_AI_CI = 255;
    private static final int BINARY_COLLATION = 63;
    private static final Pattern SELECT_INTEGER = Pattern.compile("(?i)\\s*select\\s+(-?\\d{1,18})\\s*;?\\s*");

    private enum State {
        LOGIN,
        SWITCH_RESPONSE,
        FULL_AUTH,
        RSA_PASSWORD,
        COMMANDS,
        SILENT
    }

    private final FakeMysqlServer server;
    private final int connection;
    private final PacketSequence sequence;
    private final FakeMysqlServer.Builder config;
    private ChannelHandlerContext ctx;
    private State state = State.LOGIN;
    private long serverCapabilities;
    private long capabilities;
    private byte[] scramble;
    private boolean tls;
    private String user = "";

    FakeSession(FakeMysqlServer server, int connection, PacketSequence sequence) {
        this.server = server;
        this.connection = connection;
        this.sequence = sequence;
        this.config = server.config();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (config.behaviour == Behaviour.SILENT_AFTER_ACCEPT) {
            state = State.SILENT;
            return;
        }
        scramble = server.newScramble();
        serverCapabilities = SERVER_CAPABILITIES | (config.tls ? Capability.CLIENT_SSL : 0);
        byte[] pluginData = Arrays.copyOf(scramble, scramble.length + 1); // servers append a NUL
        HandshakeV10 greeting = new HandshakeV10(
                "8.0.36-sluice-fake",
                1000 + connection,
                pluginData,
                serverCapabilities,
                UTF8MB4_0900_AI_CI,
                ServerStatus.AUTOCOMMIT,
                config.greetingPlugin);
        send(greeting::encode);
        ctx.flush();
        if (config.behaviour == Behaviour.SILENT_AFTER_GREETING) {
            state = State.SILENT;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet packet) {
        ByteBuf payload = packet.payload();
        switch (state) {
            case LOGIN -> onLogin(payload, packet.sequenceId());
            case SWITCH_RESPONSE -> {
                record(Kind.AUTH_SWITCH_RESPONSE, packet);
                authenticate(ByteBufUtil.getBytes(payload));
            }
            case FULL_AUTH -> onFullAuth(packet);
            case RSA_PASSWORD -> onEncryptedPassword(packet);
            case COMMANDS -> onCommand(packet);
            case SILENT -> record(Kind.IGNORED, packet);
        }
        ctx.flush();
    }

    // ---- authentication ------------------------------------------------------------------------------

    private void onLogin(ByteBuf payload, int sequenceId) {
        if (SslRequest.isSslRequest(payload)) {
            record(Kind.SSL_REQUEST, payload, sequenceId);
            if (!config.tls) {
                throw new ProtocolException("fake: SSLRequest, but this fake does not offer TLS");
            }
            if (config.behaviour == Behaviour.SILENT_IN_TLS_HANDSHAKE) {
                // Without the decoder, the ClientHello reaches this handler as raw bytes, which the pipeline's
                // tail drops: nobody answers it.
                state = State.SILENT;
                ctx.pipeline().remove(DECODER);
                return;
            }
            startTls();
            return;
        }
        record(Kind.LOGIN, payload, sequenceId);
        HandshakeResponse41 login =
                HandshakeResponse41.decode(payload.duplicate()).requireProtocol41();
        capabilities = login.capabilities() & serverCapabilities;
        user = login.username();
        String plugin = login.authPluginName() == null ? "" : login.authPluginName();
        if (!plugin.equals(config.accountPlugin())) {
            // The account uses another plugin: start over with it and a fresh scramble.
            scramble = server.newScramble();
            state = State.SWITCH_RESPONSE;
            byte[] pluginData = Arrays.copyOf(scramble, scramble.length + 1);
            send(new AuthSwitchRequest(config.accountPlugin(), pluginData)::encode);
            return;
        }
        authenticate(login.authResponse());
    }

    /**
     * Upgrades to TLS: the SslHandler goes where the packet decoder was and a new decoder (same sequence) after
     * it. Removing the old decoder hands the bytes it still buffers (a ClientHello sent right behind the
     * SSLRequest, in the same read) on to the SslHandler, so none are lost or parsed as a packet.
     */
    private void startTls() {
        SslHandler ssl = server.sslContext().newHandler(ctx.alloc());
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.addAfter(DECODER, "tls", ssl);
        pipeline.addAfter("tls", "decoder-tls", new PacketDecoder(sequence, FakeMysqlServer.MAX_PACKET));
        tls = true;
        pipeline.remove(DECODER);
    }

    private void authenticate(byte[] response) {
        String plugin = config.accountPlugin();
        byte[] password = config.password.getBytes(StandardCharsets.UTF_8);
        if (!user.equals(config.user)) {
            deny(response.length > 0);
        } else if (NativePassword.PLUGIN_NAME.equals(plugin)) {
            if (NativePassword.verify(scramble, response, NativePassword.hashOfHash(password))) {
                loggedIn();
            } else {
                deny(response.length > 0);
            }
        } else if (CachingSha2Password.PLUGIN_NAME.equals(plugin)) {
            if (password.length == 0 && response.length == 0) {
                loggedIn();
            } else if (server.isCached() && CachingSha2Password.verify(scramble, response, password)) {
                send(AuthMoreData.of(AuthMoreData.FAST_AUTH_OK)::encode);
                loggedIn();
            } else {
                state = State.FULL_AUTH;
                send(AuthMoreData.of(AuthMoreData.PERFORM_FULL_AUTH)::encode);
            }
        } else if (CLEAR_PASSWORD.equals(plugin)) {
            if (Arrays.equals(response, CachingSha2Password.cleartext(password))) {
                loggedIn();
            } else {
                deny(response.length > 0);
            }
        } else {
            throw new IllegalStateException("fake: account plugin " + plugin + " is not scripted");
        }
    }

    private void onFullAuth(Packet packet) {
        ByteBuf payload = packet.payload();
        if (tls) {
            record(Kind.CLEARTEXT_PASSWORD, packet);
            byte[] expected = CachingSha2Password.cleartext(config.password.getBytes(StandardCharsets.UTF_8));
            checkFullAuth(Arrays.equals(expected, ByteBufUtil.getBytes(payload)));
        } else if (payload.readableBytes() == 1
                && payload.getByte(payload.readerIndex()) == AuthMoreData.REQUEST_PUBLIC_KEY) {
            record(Kind.PUBLIC_KEY_REQUEST, packet);
            state = State.RSA_PASSWORD;
            byte[] pem = RsaPem.encodePublicKey(server.publicKey()).getBytes(StandardCharsets.US_ASCII);
            send(new AuthMoreData(pem)::encode);
        } else {
            onEncryptedPassword(packet); // a client that already knew the key
        }
    }

    private void onEncryptedPassword(Packet packet) {
        record(Kind.ENCRYPTED_PASSWORD, packet);
        byte[] password;
        try {
            password = CachingSha2Password.decryptPassword(
                    ByteBufUtil.getBytes(packet.payload()), scramble, server.privateKey());
        } catch (ProtocolException e) {
            deny(true); // MySQL answers an undecryptable password like a wrong one
            return;
        }
        checkFullAuth(Arrays.equals(password, config.password.getBytes(StandardCharsets.UTF_8)));
    }

    private void checkFullAuth(boolean matches) {
        if (matches) {
            server.markCached();
            loggedIn();
        } else {
            deny(true);
        }
    }

    private void loggedIn() {
        state = State.COMMANDS;
        sendOk(OkPacket.HEADER);
        sequence.reset(); // the next packet, the client's first command, carries id 0
    }

    private void deny(boolean usingPassword) {
        ErrPacket err = new ErrPacket(
                1045,
                "28000",
                "Access denied for user '" + user + "'@'localhost' (using password: " + (usingPassword ? "YES" : "NO")
                        + ")");
        state = State.SILENT;
        sendErr(err).addListener(ChannelFutureListener.CLOSE);
    }

    // ---- commands ------------------------------------------------------------------------------------

    private void onCommand(Packet packet) {
        record(Kind.COMMAND, packet);
        ByteBuf payload = packet.payload();
        Command command = payload.isReadable() ? Command.of(payload.getUnsignedByte(payload.readerIndex())) : null;
        if (command == Command.COM_QUIT) {
            ctx.close();
            return;
        }
        if (command == Command.COM_PING) {
            sendOk(OkPacket.HEADER);
        } else if (command == Command.COM_QUERY) {
            String sql = ComQuery.decode(payload.duplicate(), capabilities).sql();
            Matcher m = SELECT_INTEGER.matcher(sql);
            if (m.matches()) {
                sendOneRow(m.group(1));
            } else {
                sendErr(new ErrPacket(1064, "42000", "fake server: only 'SELECT <integer>' is scripted, got: " + sql));
            }
        } else {
            sendErr(new ErrPacket(1047, "08S01", "Unknown command"));
        }
        sequence.reset();
    }

    /** Column count, one BIGINT definition, [EOF], the row, then EOF or (CLIENT_DEPRECATE_EOF) a 0xFE OK. */
    private void sendOneRow(String value) {
        boolean deprecateEof = Capability.has(capabilities, Capability.CLIENT_DEPRECATE_EOF);
        send(out -> ColumnCount.of(1).encode(out, capabilities));
        ColumnDefinition41 column = ColumnDefinition41.of(
                "",
                "",
                value,
                BINARY_COLLATION,
                value.length(),
                ColumnType.LONGLONG,
                ColumnFlags.NOT_NULL | ColumnFlags.BINARY | ColumnFlags.NUM,
                0);
        send(out -> column.encode(out, capabilities, false));
        if (!deprecateEof) {
            send(out -> new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(out, capabilities));
        }
        send(new TextRow(List.of(value.getBytes(StandardCharsets.US_ASCII)))::encode);
        if (deprecateEof) {
            sendOk(OkPacket.HEADER_EOF);
        } else {
            send(out -> new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(out, capabilities));
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    private void sendOk(int header) {
        OkPacket ok = new OkPacket(header, 0, 0, ServerStatus.AUTOCOMMIT, 0, "", List.of());
        send(out -> ok.encode(out, capabilities));
    }

    private ChannelFuture sendErr(ErrPacket err) {
        ByteBuf out = ctx.alloc().buffer();
        err.encode(out, capabilities == 0 ? Capability.CLIENT_PROTOCOL_41 : capabilities);
        return ctx.writeAndFlush(out);
    }

    /** Writes one payload; the encoder stamps the sequence id now, on this event loop. */
    private void send(Consumer<ByteBuf> encoder) {
        ByteBuf out = ctx.alloc().buffer();
        encoder.accept(out);
        ctx.write(out);
    }

    private void record(Kind kind, Packet packet) {
        record(kind, packet.payload(), packet.sequenceId());
    }

    private void record(Kind kind, ByteBuf payload, int sequenceId) {
        server.record(new Received(connection, kind, ByteBufUtil.getBytes(payload), sequenceId, tls, scramble));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A fake has no one to report to but the test, which sees the closed connection.
        ctx.close();
    }
}
