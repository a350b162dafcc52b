package dev.sluice.backend;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.client.SslRequest;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.CertificateException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;

/**
 * The state machine of one server connection, on its event loop: greeting, optional TLS upgrade, the
 * authentication exchange, then commands one at a time, each response classified by a {@link
 * ResponseDecoder} and collected into a {@link Response}. Every failure (ERR, protocol error, closed
 * connection) completes the pending future exceptionally; a protocol error or a closed connection also
 * fails everything queued and closes the channel, since nothing after it can be trusted.
 */
// @Sharable only so that it can be removed (detach) and added again (reattach) to its own channel's pipeline;
// it holds one connection's state and is never in two pipelines.
@io.netty.channel.ChannelHandler.Sharable
final class ConnectionHandler extends SimpleChannelInboundHandler<Packet> {
    /** What this client asks for; intersected with the greeting's capabilities. */
    static final long CLIENT_CAPABILITIES = Capability.CLIENT_MYSQL
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_CONNECT_ATTRS
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK;

    private enum State {
        GREETING,
        TLS_HANDSHAKE,
        AUTHENTICATING,
        READY,
        CLOSED
    }

    /** {@code batch}: null, or the object shared by commands written together in one flush ({@link #submitPipelined}). */
    private record Pending(
            ClientCommand command,
            boolean cursor,
            List<ColumnDefinition41> fetchColumns,
            CompletableFuture<Response> future,
            Object batch) {}

    /** A command written whose response is not read yet; {@code responseStart}: the id its response starts at. */
    private record InFlight(Pending pending, ResponseDecoder decoder, int responseStart) {}

    private final ConnectOptions options;
    private final PacketSequence sequence;
    private final ServerTlsContexts tlsContexts;
    private final CompletableFuture<ServerConnection> connected;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Written, response not read yet, in order; the head's response is the one being read (its {@link #response}). */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    private State state = State.GREETING;
    private HandshakeV10 greeting;
    private long capabilities;
    private boolean tls;
    private Authenticator authenticator;
    private Response response;

    /** @param tlsContexts the TLS contexts, asked for one only when the connection switches to TLS */
    ConnectionHandler(
            ConnectOptions options,
            PacketSequence sequence,
            ServerTlsContexts tlsContexts,
            CompletableFuture<ServerConnection> connected) {
        this.options = options;
        this.sequence = sequence;
        this.tlsContexts = tlsContexts;
        this.connected = connected;
    }

    HandshakeV10 greeting() {
        return greeting;
    }

    long capabilities() {
        return capabilities;
    }

    boolean isTls() {
        return tls;
    }

    String authPlugin() {
        return authenticator.plugin();
    }

    PacketSequence sequence() {
        return sequence;
    }

    /** Leaves the channel to a new owner; only between commands. Runs on the event loop. */
    void detach() {
        if (state != State.READY || !inFlight.isEmpty() || !queue.isEmpty()) {
            throw new IllegalStateException("detach: connection is "
                    + state.name().toLowerCase() + (!inFlight.isEmpty() ? " with a command in flight" : ""));
        }
        state = State.CLOSED;
        ctx.pipeline().remove(this);
    }

    /** Takes the channel back after {@link #detach()} (a pooled connection returned); on the event loop. */
    void reattach(io.netty.channel.Channel channel) {
        if (state != State.CLOSED || !inFlight.isEmpty()) {
            throw new IllegalStateException(
                    "reattach: connection is " + state.name().toLowerCase());
        }
        state = State.READY;
        channel.pipeline().addLast("connection", this);
        if (!channel.isActive()) {
            fail(new ConnectionFailedException(where() + ": connection closed by the server"));
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- connection phase -------------------------------------------------------------------------

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet packet) {
        ByteBuf payload = packet.payload();
        switch (state) {
            case GREETING -> onGreeting(payload);
            case AUTHENTICATING -> onAuthPacket(payload);
            case READY -> onResponsePacket(payload);
            case TLS_HANDSHAKE, CLOSED ->
                throw new ProtocolException("unexpected packet from the server while "
                        + state.name().toLowerCase());
        }
    }

    private void onGreeting(ByteBuf payload) {
        if (payload.isReadable() && payload.getUnsignedByte(payload.readerIndex()) == ErrPacket.HEADER) {
            throw new ServerException(ErrPacket.decode(payload, 0), "server refused the connection");
        }
        greeting = HandshakeV10.decode(payload);
        long wanted;
        if (options.capabilities() != 0) {
            wanted = options.capabilities() & ~(Capability.CLIENT_SSL | Capability.CLIENT_CONNECT_WITH_DB);
        } else {
            wanted = CLIENT_CAPABILITIES;
            if (options.deprecateEof()) {
                wanted |= Capability.CLIENT_DEPRECATE_EOF;
            }
        }
        if (options.sessionTracking()) {
            wanted |= Capability.CLIENT_SESSION_TRACK; // the proxy rewrites OKs to what its client asked for
        }
        if (options.database() != null) {
            wanted |= Capability.CLIENT_CONNECT_WITH_DB;
        }
        boolean serverTls = Capability.has(greeting.capabilities(), Capability.CLIENT_SSL);
        TlsMode mode = options.tls().mode();
        if (mode.requiresTls() && !serverTls) {
            // a server without TLS, or a peer on the path that removed the flag from the greeting
            throw new ServerTrustException(
                    ServerTrustException.Reason.TLS,
                    where() + ": tls "
                            + mode.configName() + ", but the server's greeting (" + greeting.serverVersion()
                            + ") offers no TLS; nothing was sent");
        }
        if (mode == TlsMode.PREFERRED && !serverTls) {
            tlsContexts.warnUnencrypted(where(), "its greeting (" + greeting.serverVersion() + ") offers no TLS");
        }
        if (mode != TlsMode.DISABLED && serverTls) {
            wanted |= Capability.CLIENT_SSL;
        }
        capabilities = wanted & greeting.capabilities();
        if (Capability.has(capabilities, Capability.CLIENT_SSL)) {
            startTls();
        } else {
            sendLogin();
        }
    }

    private void startTls() {
        state = State.TLS_HANDSHAKE;
        ByteBuf out = ctx.alloc().buffer(SslRequest.LENGTH);
        new SslRequest(capabilities, options.maxPacketSize(), options.collationId()).encode(out);
        ctx.writeAndFlush(out);
        // The SslRequest has passed this handler already; TLS wraps everything written from here on.
        // the host connected to is the engine's peer host: what verify-identity checks the certificate against
        SslHandler ssl = tlsContexts.context(options.tls()).newHandler(ctx.alloc(), options.host(), options.port());
        ctx.pipeline().addFirst("tls", ssl);
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                tls = true;
                sendLogin();
            } else if (certificateProblem(f.cause())) {
                fail(new ServerTrustException(
                        ServerTrustException.Reason.TLS,
                        where()
                                + ": TLS handshake failed: the server's certificate was refused (tls: "
                                + options.tls().describe()
                                + "): " + f.cause().getMessage() + "; nothing was sent",
                        f.cause()));
            } else {
                fail(new ConnectionFailedException(
                        where() + ": TLS handshake failed: " + f.cause().getMessage(), f.cause()));
            }
        });
    }

    private static boolean certificateProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    private void sendLogin() {
        state = State.AUTHENTICATING;
        authenticator = new Authenticator(options, tls, capabilities);
        byte[] auth = authenticator.initialResponse(greeting.authPluginName(), greeting.scramble());
        List<HandshakeResponse41.Attribute> attributes = new ArrayList<>();
        options.connectAttributes().forEach((k, v) -> attributes.add(new HandshakeResponse41.Attribute(k, v)));
        HandshakeResponse41 login = new HandshakeResponse41(
                capabilities,
                options.maxPacketSize(),
                options.collationId(),
                options.user(),
                auth,
                options.database(),
                authenticator.plugin(),
                attributes,
                0);
        ByteBuf out = ctx.alloc().buffer();
        login.encode(out);
        ctx.writeAndFlush(out);
    }

    private void onAuthPacket(ByteBuf payload) {
        Authenticator.Step step = authenticator.onPacket(payload);
        if (step instanceof Authenticator.Send send) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(send.payload()));
        } else if (step instanceof Authenticator.Done) {
            state = State.READY;
            connected.complete(new ServerConnection(ctx.channel(), this));
            sendNext();
        }
    }

    // ---- command phase ----------------------------------------------------------------------------

    CompletableFuture<Response> submit(ClientCommand command, boolean cursor) {
        return enqueue(new Pending(command, cursor, null, new CompletableFuture<>(), null));
    }

    CompletableFuture<Response> submitFetch(ClientCommand fetch, List<ColumnDefinition41> columns) {
        return enqueue(new Pending(fetch, false, columns, new CompletableFuture<>(), null));
    }

    /**
     * Commands written together in one flush, without waiting for each response (pipelining): one write
     * and one wake-up of the server instead of one round trip per command. Each still starts at sequence id 0
     * and has its own response, read in order; an ERR answers only its own command (the server executes the
     * later ones anyway, as it would have received them). Every command must have a response.
     */
    List<CompletableFuture<Response>> submitPipelined(List<? extends ClientCommand> commands) {
        for (ClientCommand c : commands) {
            if (!c.command().hasResponse()) {
                throw new IllegalArgumentException(c.command() + " has no response: it cannot be pipelined");
            }
        }
        Object batch = new Object();
        List<Pending> pendings = new ArrayList<>(commands.size());
        List<CompletableFuture<Response>> futures = new ArrayList<>(commands.size());
        for (ClientCommand c : commands) {
            Pending p = new Pending(c, false, null, new CompletableFuture<>(), batch);
            pendings.add(p);
            futures.add(p.future());
        }
        ctx.executor().execute(() -> {
            if (state == State.CLOSED) {
                for (Pending p : pendings) {
                    p.future()
                            .completeExceptionally(
                                    new ConnectionFailedException(where() + ": the connection is closed; "
                                            + p.command().command() + " was not sent"));
                }
                return;
            }
            queue.addAll(pendings);
            sendNext();
        });
        return futures;
    }

    /** Sends a command that has no response (COM_QUIT, COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA). */
    CompletableFuture<Void> send(ClientCommand command) {
        return submit(command, false).thenApply(r -> null);
    }

    private CompletableFuture<Response> enqueue(Pending pending) {
        ctx.executor().execute(() -> {
            if (state == State.CLOSED) {
                pending.future()
                        .completeExceptionally(new ConnectionFailedException(where() + ": the connection is closed; "
                                + pending.command().command() + " was not sent"));
                return;
            }
            queue.add(pending);
            sendNext();
        });
        return pending.future();
    }

    private void sendNext() {
        boolean wrote = false;
        Object batch = null;
        // one command at a time, except the commands of one batch, which are all written before one flush
        while (state == State.READY
                && !queue.isEmpty()
                && (inFlight.isEmpty() || (batch != null && queue.peek().batch() == batch))) {
            Pending next = queue.poll();
            Command command = next.command().command();
            ResponseDecoder responseDecoder = null;
            if (command.hasResponse()) {
                // Before anything is written: a command whose answer this client cannot read (COM_CHANGE_USER,
                // COM_BINLOG_DUMP) is refused unsent, instead of leaving its answer to arrive with no decoder.
                try {
                    responseDecoder = new ResponseDecoder(command, capabilities, next.cursor());
                } catch (IllegalArgumentException e) {
                    next.future()
                            .completeExceptionally(new IllegalArgumentException(
                                    where() + ": " + command + " not sent, this client does not support it: "
                                            + e.getMessage(),
                                    e));
                    continue;
                }
            }
            boolean first = inFlight.isEmpty();
            sequence.reset();
            ByteBuf out = ctx.alloc().buffer();
            next.command().encode(out, capabilities);
            ctx.write(out);
            wrote = true;
            if (responseDecoder == null) {
                // flushed before it counts as sent: a caller may close the channel on completion (COM_QUIT)
                ctx.flush();
                wrote = false;
                next.future().complete(null);
                continue;
            }
            // the id after the command's last packet: where its response starts
            inFlight.add(new InFlight(next, responseDecoder, sequence.nextExpected()));
            if (first) {
                startResponse();
            }
            batch = next.batch();
        }
        if (wrote) {
            ctx.flush();
        }
        // the ids of the head's response: a later command of a batch written meanwhile reset the counter
        if (!inFlight.isEmpty()) {
            sequence.beginResponse((inFlight.peek().responseStart() - 1) & 0xFF);
        }
    }

    /** The head of {@link #inFlight} is the command whose response is read next. */
    private void startResponse() {
        Command command = inFlight.peek().pending().command().command();
        boolean binary = command == Command.COM_STMT_EXECUTE || command == Command.COM_STMT_FETCH;
        response = new Response(binary, inFlight.peek().pending().fetchColumns());
    }

    private void onResponsePacket(ByteBuf payload) {
        InFlight current = inFlight.peek();
        if (current == null) {
            throw new ProtocolException("the server sent a packet while no command was pending");
        }
        ResponseEvent event = current.decoder().next(payload);
        if (event instanceof ResponseEvent.Err err) {
            finish(
                    null,
                    new ServerException(
                            err.err(), current.pending().command().command().name()));
            return;
        }
        if (event instanceof ResponseEvent.LocalInfile request) {
            // This client never sends files: an empty packet ends the (refused) transfer, the server answers ERR/OK.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER);
            return;
        }
        response.on(event);
        if (current.decoder().isComplete()) {
            finish(response, null);
        }
    }

    private void finish(Response result, Throwable failure) {
        Pending done = inFlight.poll().pending();
        response = null;
        if (!inFlight.isEmpty()) {
            // the next response of a batch: its ids start again after its command's
            sequence.beginResponse((inFlight.peek().responseStart() - 1) & 0xFF);
            startResponse();
        }
        if (failure == null) {
            done.future().complete(result);
        } else {
            done.future().completeExceptionally(failure);
        }
        sendNext();
    }

    // ---- failures ---------------------------------------------------------------------------------

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof SSLException && state == State.TLS_HANDSHAKE) {
            return; // reported by the handshake future
        }
        fail(root);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new ConnectionFailedException(where() + ": connection closed by the server"
                + (state == State.READY ? "" : " during " + state.name().toLowerCase())));
    }

    /** Called by the connector when the connect deadline passes before the login completed. */
    void connectTimedOut(String message) {
        // a server that does not finish a login within the deadline is as good as down, whatever the phase
        fail(new ConnectionFailedException(
                where() + ": " + message + " (state: " + state.name().toLowerCase() + ")", null, true));
    }

    /** A deadline of a command passed ({@link ServerConnection#within}): everything pending fails, the channel closes. */
    void abort(Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        if (was != State.READY) {
            Throwable reported = cause instanceof ConnectionFailedException
                            || cause instanceof ServerException
                            || cause instanceof ServerTrustException
                    ? cause
                    : new ConnectionFailedException(
                            where() + ": " + was.name().toLowerCase() + " failed: "
                                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()),
                            cause);
            connected.completeExceptionally(reported);
        }
        for (InFlight f; (f = inFlight.poll()) != null; ) {
            f.pending().future().completeExceptionally(cause);
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.future().completeExceptionally(cause);
        }
        ctx.close();
    }

    String where() {
        return options.host() + ":" + options.port();
    }
}
