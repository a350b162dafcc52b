package dev.sluice.backend;

import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComPing;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.client.ComQuit;
import dev.sluice.protocol.message.client.ComStatistics;
import dev.sluice.protocol.message.client.ComStmtClose;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.protocol.message.client.ComStmtFetch;
import dev.sluice.protocol.message.client.ComStmtPrepare;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.PacketDecoder;
import dev.sluice.protocol.wire.PacketSequence;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One logged-in connection to a MySQL or MariaDB server, built on the codec: sends commands one at a time
 * (later ones queue) and reads each response completely. Methods return futures completed on the
 * connection's event loop; the {@code *Sync} helpers wait with a deadline and are meant for tests and tools.
 *
 * <p>Open one with {@link ServerConnector#connect}.
 */
public final class ServerConnection implements AutoCloseable {
    private final Channel channel;
    private final CommandHandler handler;
    private final Login login;
    /** Made on the first detach. */
    private Detached detached;

    ServerConnection(Channel channel, CommandHandler handler) {
        this.channel = channel;
        this.handler = handler;
        this.login = handler.login();
    }

    public HandshakeV10 greeting() {
        return login.greeting();
    }

    /** Capabilities agreed with the server (the client's request intersected with the greeting's). */
    public long capabilities() {
        return login.capabilities();
    }

    /** The server's id for this connection (the greeting's connection id: what KILL takes). */
    public long connectionId() {
        return login.greeting().connectionId();
    }

    public boolean isTls() {
        return login.tls();
    }

    /** The authentication plugin that finally logged this connection in. */
    public String authPlugin() {
        return login.authPlugin();
    }

    /**
     * Hands the logged-in connection over to a new owner (the proxy's relay). Must be called on the connection's
     * event loop, between commands; no command can be sent until {@link #reattach()}. The command handler stays in
     * the pipeline and passes every inbound event to {@code tenant}, the owner's handler (null: on down the
     * pipeline, where the owner may have added its own), so a lease adds and removes no handler.
     */
    public Detached detach(ChannelInboundHandler tenant) {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("detach must run on the connection's event loop");
        }
        handler.detach(tenant);
        if (detached == null) { // the same every time: made on the first lease
            detached = new Detached(
                    channel,
                    handler.sequence(),
                    login.capabilities(),
                    login.greeting(),
                    login.tls(),
                    channel.pipeline().get(PacketDecoder.class));
        }
        return detached;
    }

    /** While detached: who gets the inbound events from now on (null: on down the pipeline). On the event loop. */
    public void tenant(ChannelInboundHandler tenant) {
        handler.tenant(tenant);
    }

    /**
     * Takes the channel back after {@link #detach}, e.g. when a pooled connection returns: commands can be sent
     * again (a reset, a ping). An owner that added handlers of its own must have removed them. On the event loop.
     */
    public void reattach() {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("reattach must run on the connection's event loop");
        }
        handler.reattach(channel);
    }

    public Channel channel() {
        return channel;
    }

    /** A logged-in server channel lent to a new owner: framing only ({@code decoder}: its packet decoder). */
    public record Detached(
            Channel channel,
            PacketSequence sequence,
            long capabilities,
            HandshakeV10 greeting,
            boolean tls,
            PacketDecoder decoder) {}

    public boolean isOpen() {
        return channel.isActive();
    }

    /**
     * {@code future} (a command of this connection), bounded: when {@code limit} passes first, the connection is
     * closed (its state is unknown: a command may still be running on the server), everything pending on it
     * fails, and the returned future fails with a {@link DeadlineExceededException}: "no answer to {@code what}"
     * ({@code what} names the command and the deadline's key). The timer runs on the connection's event loop
     * and is cancelled when the answer comes.
     */
    public <T> CompletableFuture<T> within(CompletableFuture<T> future, Duration limit, String what) {
        CompletableFuture<T> bounded = new CompletableFuture<>();
        long millis = Math.max(1, limit.toMillis());
        io.netty.util.concurrent.ScheduledFuture<?> timer = channel.eventLoop()
                .schedule(
                        () -> {
                            DeadlineExceededException e =
                                    new DeadlineExceededException(handler.where() + ": no answer to " + what);
                            if (bounded.completeExceptionally(e)) {
                                handler.abort(e);
                                channel.close();
                            }
                        },
                        millis,
                        TimeUnit.MILLISECONDS);
        future.whenComplete((v, e) -> {
            timer.cancel(false);
            if (e == null) {
                bounded.complete(v);
            } else {
                bounded.completeExceptionally(
                        e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause()
                                : e);
            }
        });
        return bounded;
    }

    public CompletableFuture<QueryResult> query(String sql) {
        return handler.submit(ComQuery.of(sql), false).thenApply(Response::toQueryResult);
    }

    public CompletableFuture<PreparedStatement> prepare(String sql) {
        return handler.submit(ComStmtPrepare.of(sql), false).thenApply(Response::toPreparedStatement);
    }

    /** Executes with the given parameters (typed by {@link BinaryType}); no cursor, all rows in the response. */
    public CompletableFuture<QueryResult> execute(PreparedStatement statement, List<BoundParameter> parameters) {
        return handler.submit(ComStmtExecute.of(statement.statementId(), parameters), false)
                .thenApply(Response::toQueryResult);
    }

    /** Executes opening a read-only cursor: the result holds the column definitions and no rows. */
    public CompletableFuture<QueryResult> executeWithCursor(
            PreparedStatement statement, List<BoundParameter> parameters) {
        ComStmtExecute execute =
                new ComStmtExecute(statement.statementId(), ComStmtExecute.CURSOR_TYPE_READ_ONLY, 1, true, parameters);
        return handler.submit(execute, true).thenApply(Response::toQueryResult);
    }

    /** Fetches up to {@code rows} rows from the statement's open cursor. */
    public CompletableFuture<ResultSet> fetch(PreparedStatement statement, long rows) {
        return handler.submitFetch(new ComStmtFetch(statement.statementId(), rows), statement.columns())
                .thenApply(r -> r.toQueryResult().resultSet());
    }

    /** COM_STMT_CLOSE; the server sends no answer, so the future completes once it is written. */
    public CompletableFuture<Void> closeStatement(PreparedStatement statement) {
        return handler.send(new ComStmtClose(statement.statementId()));
    }

    public CompletableFuture<OkPacket> ping() {
        return handler.submit(new ComPing(), false).thenApply(Response::ok);
    }

    public CompletableFuture<String> statistics() {
        return handler.submit(new ComStatistics(), false).thenApply(Response::statistics);
    }

    /**
     * Sends commands that all have a response in one write, without waiting for each response (one round trip
     * instead of one per command); the responses are read in order, one future each. A command that fails
     * (ERR) fails only its own future: the server has the later ones already and executes them.
     */
    public List<CompletableFuture<QueryResult>> pipeline(List<? extends ClientCommand> commands) {
        return handler.submitPipelined(commands).stream()
                .map(f -> f.thenApply(Response::toQueryResult))
                .toList();
    }

    /** Sends any command that has a response and returns the response as read. */
    public CompletableFuture<QueryResult> command(ClientCommand command) {
        return handler.submit(command, false).thenApply(Response::toQueryResult);
    }

    public QueryResult querySync(String sql) {
        return await(query(sql));
    }

    public PreparedStatement prepareSync(String sql) {
        return await(prepare(sql));
    }

    public QueryResult executeSync(PreparedStatement statement, List<BoundParameter> parameters) {
        return await(execute(statement, parameters));
    }

    /** Waits up to a minute; unwraps the failure (ServerException, ProtocolException, ...). */
    public static <T> T await(CompletableFuture<T> future) {
        return await(future, Duration.ofMinutes(1));
    }

    public static <T> T await(CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Sends COM_QUIT and closes the channel, waiting up to 5 s for the close; on the channel's own event loop
     * (a proxy session dropping a connection it no longer needs) it cannot wait, since the close runs on that
     * very thread, so it only starts it. COM_QUIT waits behind commands still pending: if they do not end within
     * a second, the channel is closed without it.
     */
    @Override
    public void close() {
        if (channel.isActive()) {
            handler.send(new ComQuit()).whenComplete((v, e) -> channel.close());
            io.netty.util.concurrent.ScheduledFuture<?> fallback = channel.eventLoop()
                    .schedule(
                            () -> {
                                channel.close();
                            },
                            1,
                            TimeUnit.SECONDS);
            channel.closeFuture().addListener(f -> fallback.cancel(false));
        }
        if (!channel.eventLoop().inEventLoop()) {
            channel.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "ServerConnection[" + channel.remoteAddress() + ", id="
                + login.greeting().connectionId() + "]";
    }
}
