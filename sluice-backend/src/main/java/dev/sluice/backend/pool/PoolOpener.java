package dev.sluice.backend.pool;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ConnectionFailedException;
import dev.sluice.backend.DeadlineExceededException;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.pool.PoolStats.DiscardReason;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Opens one usable connection for a pool: login, then the set-up query, all within one connect-timeout (retries
 * included), with the retries that are safe (nothing of any client's statement has been sent on a connection being opened).
 *
 * <p>A connection the server closed or broke while it was being set up (not a refusal: an ERR from the server is
 * final) is tried once more. An unreachable server, or one that logs in and then does not answer the set-up, is
 * marked down. A server that refuses the login as full (ERR 1040) is not down: every idle connection of it gives
 * way, and the login is tried again a moment later (the server sees those ends asynchronously), at most {@link
 * #FULL_ATTEMPTS} times; then the lease fails as SERVER_FULL.
 */
final class PoolOpener {
    /** A logged-in, set-up connection and what its set-up learned. */
    record Opened(ServerConnection connection, long maxIdleNanos, boolean tracked) {}

    private static final int FULL_ATTEMPTS = 3;
    private static final long FULL_RETRY_MILLIS = 50;

    private final String name;
    private final ConnectOptions options;
    private final ServerConnector connector;
    private final PoolStats stats;
    private final HealthMonitor health;
    private final ServerSlots slots;
    private final Supplier<String> describe;
    private final Consumer<SessionTracking.TrackerDefaults> learnTrackers;

    PoolOpener(
            String name,
            ConnectOptions options,
            ServerConnector connector,
            PoolStats stats,
            HealthMonitor health,
            ServerSlots slots,
            Supplier<String> describe,
            Consumer<SessionTracking.TrackerDefaults> learnTrackers) {
        this.name = name;
        this.options = options;
        this.connector = connector;
        this.stats = stats;
        this.health = health;
        this.slots = slots;
        this.describe = describe;
        this.learnTrackers = learnTrackers;
    }

    /** One connect-timeout for the whole, retries included: a retry gets what is left of it. */
    CompletableFuture<Opened> open(EventLoop loop) {
        CompletableFuture<Opened> result = new CompletableFuture<>();
        attempt(loop, result, 1, System.nanoTime() + options.connectTimeout().toNanos());
        return result;
    }

    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), deadlineNanos - System.nanoTime()));
    }

    private void attempt(EventLoop loop, CompletableFuture<Opened> result, int attempt, long deadline) {
        Duration connectTimeout = options.connectTimeout();
        ConnectOptions these = attempt == 1
                ? options
                : options.toBuilder().connectTimeout(left(deadline)).build();
        connector
                .connect(these, loop)
                .thenCompose(connection -> {
                    return ConnectionSetUp.setUp(connection, options, left(deadline), connectTimeout)
                            .thenApply(learned -> {
                                slots.learnMaxConnections(learned.maxConnections());
                                slots.learnMaxPreparedStatements(learned.maxPreparedStatements());
                                if (learned.trackers() != null) {
                                    learnTrackers.accept(learned.trackers());
                                }
                                return new Opened(connection, learned.maxIdleNanos(), learned.tracked());
                            });
                })
                .whenComplete((opened, failure) -> {
                    if (failure == null) {
                        stats.created();
                        result.complete(opened);
                    } else {
                        failed(
                                loop,
                                result,
                                attempt,
                                deadline,
                                failure instanceof CompletionException && failure.getCause() != null
                                        ? failure.getCause()
                                        : failure);
                    }
                });
    }

    private void failed(EventLoop loop, CompletableFuture<Opened> result, int attempt, long deadline, Throwable cause) {
        // a retry needs time left: a retry that could only time out would just make the client wait longer
        boolean timeLeft = deadline - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(FULL_RETRY_MILLIS * attempt);
        stats.createFailed();
        boolean setUpMissed = cause instanceof DeadlineExceededException;
        if (setUpMissed) {
            stats.discarded(DiscardReason.SETUP_TIMEOUT);
        }
        boolean unreachable = setUpMissed || cause instanceof ConnectionFailedException cf && cf.unreachable();
        if (health != null && unreachable) {
            health.reportUnreachable(cause.getMessage());
        }
        boolean full =
                cause instanceof ServerException se && se.errorCode() == PoolUnavailableException.ER_CON_COUNT_ERROR;
        if (full) {
            stats.refusedFull();
            if (health != null) {
                health.reportFull();
            }
            if (attempt < FULL_ATTEMPTS
                    && timeLeft
                    && (slots.serverFull("a login of pool " + name) > 0 || attempt > 1)) {
                stats.retried();
                loop.schedule(
                        () -> attempt(loop, result, attempt + 1, deadline),
                        FULL_RETRY_MILLIS * attempt,
                        TimeUnit.MILLISECONDS);
                return;
            }
            result.completeExceptionally(new PoolUnavailableException(
                    PoolUnavailableException.Reason.SERVER_FULL,
                    "server " + name + " refused a login: " + cause.getMessage() + "; " + describe.get()));
            return;
        }
        if (!unreachable && cause instanceof ConnectionFailedException && attempt < 2 && timeLeft) {
            stats.retried();
            attempt(loop, result, attempt + 1, deadline);
            return;
        }
        result.completeExceptionally(cause);
    }
}
