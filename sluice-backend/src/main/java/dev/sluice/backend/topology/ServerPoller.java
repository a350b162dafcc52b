package dev.sluice.backend.topology;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.DeadlineExceededException;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.protocol.message.client.ComQuery;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Polls one server on one long-lived connection of its own, opened again when it fails. A poll is one write of two
 * pipelined queries ({@link PollAnswers}) and one round trip; the login and the poll each have {@code timeout} as
 * their deadline, and a poll that misses it closes the connection (its state is unknown), so a server that hangs
 * costs at most that and never the polls of others (each poller waits on timers, never on a thread).
 *
 * <p>Everything runs on one event loop, the connection's: {@link #poll()} must be called there.
 */
final class ServerPoller {
    private final MonitoredServer server;
    private final ConnectOptions options;
    private final ServerConnector connector;
    private final EventLoop loop;
    private final Duration timeout;
    private final Clock clock;
    private ServerConnection connection;
    private boolean closed;

    ServerPoller(
            MonitoredServer server,
            ConnectOptions options,
            ServerConnector connector,
            EventLoop loop,
            Duration timeout,
            Clock clock) {
        this.server = server;
        this.options = options.toBuilder().connectTimeout(timeout).build();
        this.connector = connector;
        this.loop = loop;
        this.timeout = timeout;
        this.clock = clock;
    }

    MonitoredServer server() {
        return server;
    }

    EventLoop loop() {
        return loop;
    }

    /** One poll; the future always completes, within about two timeouts (login, then queries), never fails. */
    CompletableFuture<ServerState> poll() {
        CompletableFuture<ServerConnection> open =
                connection != null && connection.isOpen() ? CompletableFuture.completedFuture(connection) : connect();
        return open.thenCompose(this::query)
                .handle((state, failure) ->
                        failure == null ? state : ServerState.unreachable(server, describe(failure), clock.instant()));
    }

    private CompletableFuture<ServerConnection> connect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        return connector.connect(options, loop).thenApply(opened -> {
            if (closed) {
                opened.close();
                throw new IllegalStateException("the monitor is closed");
            }
            connection = opened;
            return opened;
        });
    }

    private CompletableFuture<ServerState> query(ServerConnection on) {
        List<CompletableFuture<QueryResult>> answers =
                on.pipeline(List.of(ComQuery.of(PollAnswers.VARIABLES), ComQuery.of(PollAnswers.REPLICA_STATUS)));
        CompletableFuture<ServerState> state = answers.get(0)
                .thenCombine(
                        answers.get(1),
                        (variables, status) -> PollAnswers.read(server, variables, status, clock.instant()));
        return on.within(state, timeout, "the topology poll within " + timeout.toMillis() + " ms");
    }

    private String describe(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof DeadlineExceededException) {
            return "no answer within " + timeout.toMillis() + " ms (the poll's deadline); connection closed";
        }
        if (cause instanceof ServerException se && se.errorCode() == 1227) {
            return "the monitor user may not read the replication status (grant SLAVE MONITOR): " + se.getMessage();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /** Closes the connection; on the poller's loop. */
    void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
