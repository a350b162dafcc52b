package dev.sluice.backend.pool;

import dev.sluice.backend.GreetingProbe;
import dev.sluice.backend.ServerConnector;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one server periodically (TCP connect and greeting, within the connect timeout; no login, so no
 * failed-login counters are touched) and keeps its state: a server that is down is marked down, so clients
 * get a fast, clear error instead of each waiting out connect-timeout, and it is used again as soon as a
 * check succeeds. A failed connect by a real client also marks it down at once.
 *
 * <p>A server that answers with ERR 1040 (too many connections, in place of its greeting or to a login) is up
 * but full, not down: it is reported as full, clients keep being sent to it (they get the server's own answer
 * when it refuses them), and {@link #onFull} runs so that idle pooled connections give way.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    private final String server;
    private final String host;
    private final int port;
    private final ServerConnector connector;
    private final Duration interval;
    private final Duration timeout;
    private volatile boolean down;
    private volatile boolean full;
    private volatile Runnable onFull = () -> {};
    private volatile String lastFailure = "";
    private volatile long checks;
    private ScheduledFuture<?> task;

    public HealthMonitor(
            String server, String host, int port, ServerConnector connector, Duration interval, Duration timeout) {
        this.server = server;
        this.host = host;
        this.port = port;
        this.connector = connector;
        this.interval = interval;
        this.timeout = timeout;
    }

    public synchronized void start() {
        if (task == null) {
            task = connector
                    .group()
                    .next()
                    .scheduleWithFixedDelay(
                            this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Runs one check now; the future completes when it is done. */
    public java.util.concurrent.CompletableFuture<Boolean> check() {
        checks++;
        return GreetingProbe.probe(connector.group(), connector.transport(), host, port, timeout)
                .handle((greeting, failure) -> {
                    if (failure == null) {
                        markUp();
                        full = false;
                        return true;
                    }
                    Throwable cause =
                            failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                                    ? failure.getCause()
                                    : failure;
                    if (cause instanceof dev.sluice.backend.ServerException se
                            && se.errorCode() == PoolUnavailableException.ER_CON_COUNT_ERROR) {
                        markUp(); // it answered: up, and full
                        reportFull();
                        onFull.run();
                        return true;
                    }
                    markDown(
                            failure.getCause() != null && failure instanceof java.util.concurrent.CompletionException
                                    ? failure.getCause().getMessage()
                                    : failure.getMessage());
                    return false;
                });
    }

    public boolean isDown() {
        return down;
    }

    /** The last check or login was refused with ERR 1040; cleared by the next check the server greets. */
    public boolean isFull() {
        return full;
    }

    /** What to run when the server is found full (the pools close their idle connections of it). */
    public void onFull(Runnable action) {
        this.onFull = action;
    }

    /** The server refused a login or a check as full (ERR 1040): up, and full (not down). */
    public void reportFull() {
        if (!full) {
            full = true;
            LOG.warn(
                    "server {} ({}:{}) is full (ERR 1040 too many connections): it is not down; idle pooled"
                            + " connections give way",
                    server,
                    host,
                    port);
        }
    }

    public String lastFailure() {
        return lastFailure;
    }

    public long checkCount() {
        return checks;
    }

    public Duration interval() {
        return interval;
    }

    public String server() {
        return server;
    }

    /** A real connection attempt could not reach the server. */
    public void reportUnreachable(String why) {
        markDown(why);
    }

    private void markDown(String why) {
        lastFailure = why;
        if (!down) {
            down = true;
            LOG.warn(
                    "server {} ({}:{}) is down: {}; clients get an error at once until a check succeeds (every {} ms)",
                    server,
                    host,
                    port,
                    why,
                    interval.toMillis());
        }
    }

    private void markUp() {
        if (down) {
            down = false;
            LOG.info("server {} ({}:{}) is up again", server, host, port);
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
