package dev.sluice.backend;

import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.result.ResponseDecoder;
import dev.sluice.protocol.result.ResponseEvent;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The command phase of one logged-in server connection, on its event loop (it takes the channel over from the
 * {@link LoginHandler}): commands one at a time, or a batch written in one flush, each response classified by a
 * {@link ResponseDecoder} and collected into a {@link Response}; what {@link ServerConnection} calls. Every failure
 * (ERR, protocol error, closed connection) completes the pending future exceptionally; a protocol error or a
 * closed connection also fails everything queued and closes the channel, since nothing after it can be trusted.
 */
final class CommandHandler extends SimpleChannelInboundHandler<Packet> {
    /** Its name in the pipeline. */
    static final String NAME = "connection";

    /** {@code batch}: null, or the object shared by commands written together in one flush ({@link #submitPipelined}). */
    private record Pending(
            ClientCommand command,
            boolean cursor,
            List<ColumnDefinition41> fetchColumns,
            CompletableFuture<Response> future,
            Object batch) {}

    /** A command written whose response is not read yet; {@code responseStart}: the id its response starts at. */
    private record InFlight(Pending pending, ResponseDecoder decoder, int responseStart) {}

    private final Login login;
    private final PacketSequence sequence;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Written, response not read yet, in order; the head's response is the one being read (its {@link #response}). */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    private ChannelHandlerContext ctx;
    /** Closed, or detached (the channel lent to another owner): nothing is sent. */
    private boolean closed;
    /** The channel is lent to another owner ({@link #detach}): inbound events are its, not this handler's. */
    private boolean detached;
    /**
     * While detached: the owner's handler, given every inbound event directly (no handler is added to or removed from
     * the pipeline per lease); null: the events pass on down the pipeline.
     */
    private ChannelInboundHandler tenant;

    private Response response;

    CommandHandler(Login login, PacketSequence sequence) {
        this.login = login;
        this.sequence = sequence;
    }

    Login login() {
        return login;
    }

    PacketSequence sequence() {
        return sequence;
    }

    /**
     * Leaves the channel to a new owner; only between commands. Runs on the event loop. The handler stays in the
     * pipeline, passing every inbound event to {@code tenant} (or on down the pipeline when it is null).
     */
    void detach(ChannelInboundHandler tenant) {
        if (closed || !inFlight.isEmpty() || !queue.isEmpty()) {
            throw new IllegalStateException("detach: connection is " + (closed ? "closed" : "ready")
                    + (!inFlight.isEmpty() ? " with a command in flight" : ""));
        }
        closed = true;
        detached = true;
        this.tenant = tenant;
    }

    /** While detached: who gets the inbound events from now on (null: they pass on down the pipeline). */
    void tenant(ChannelInboundHandler tenant) {
        if (!detached) {
            throw new IllegalStateException("tenant: the connection is not detached");
        }
        this.tenant = tenant;
    }

    /** Takes the channel back after {@link #detach} (a pooled connection returned); on the event loop. */
    void reattach(Channel channel) {
        if (!detached || !inFlight.isEmpty()) {
            throw new IllegalStateException("reattach: connection is " + (detached ? "busy" : "not detached"));
        }
        detached = false;
        tenant = null;
        closed = false;
        if (!channel.isActive()) {
            fail(new ConnectionFailedException(where() + ": connection closed by the server"));
        }
    }

    // ---- events while detached go to the tenant ------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!detached) {
            super.channelRead(ctx, msg);
        } else if (tenant != null) {
            tenant.channelRead(ctx, msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (detached && tenant != null) {
            tenant.channelReadComplete(ctx);
        } else {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (detached && tenant != null) {
            tenant.channelWritabilityChanged(ctx);
        } else {
            ctx.fireChannelWritabilityChanged();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (detached && tenant != null) {
            tenant.userEventTriggered(ctx, evt);
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

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
            if (closed) {
                pendings.forEach(this::notSent);
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
            if (closed) {
                notSent(pending);
                return;
            }
            queue.add(pending);
            sendNext();
        });
        return pending.future();
    }

    private void notSent(Pending pending) {
        pending.future()
                .completeExceptionally(new ConnectionFailedException(where() + ": the connection is closed; "
                        + pending.command().command() + " was not sent"));
    }

    private void sendNext() {
        boolean wrote = false;
        Object batch = null;
        // one command at a time, except the commands of one batch, which are all written before one flush
        while (!closed
                && !queue.isEmpty()
                && (inFlight.isEmpty() || (batch != null && queue.peek().batch() == batch))) {
            Pending next = queue.poll();
            Command command = next.command().command();
            ResponseDecoder responseDecoder = null;
            if (command.hasResponse()) {
                // Before anything is written: a command whose answer this client cannot read (COM_CHANGE_USER,
                // COM_BINLOG_DUMP) is refused unsent, instead of leaving its answer to arrive with no decoder.
                try {
                    responseDecoder = new ResponseDecoder(command, login.capabilities(), next.cursor());
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
            next.command().encode(out, login.capabilities());
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

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Packet packet) {
        if (closed) {
            throw new ProtocolException("unexpected packet from the server while closed");
        }
        ByteBuf payload = packet.payload();
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (detached) {
            if (tenant != null) {
                tenant.exceptionCaught(ctx, cause);
            } else {
                ctx.fireExceptionCaught(cause);
            }
            return;
        }
        fail(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (detached) {
            if (tenant != null) {
                tenant.channelInactive(ctx);
            } else {
                ctx.fireChannelInactive();
            }
            return;
        }
        fail(new ConnectionFailedException(where() + ": connection closed by the server"));
    }

    /** A deadline of a command passed ({@link ServerConnection#within}): everything pending fails, the channel closes. */
    void abort(Throwable cause) {
        fail(cause);
    }

    private void fail(Throwable cause) {
        if (closed) {
            return;
        }
        closed = true;
        for (InFlight f; (f = inFlight.poll()) != null; ) {
            f.pending().future().completeExceptionally(cause);
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.future().completeExceptionally(cause);
        }
        ctx.close();
    }

    String where() {
        return login.where();
    }
}
