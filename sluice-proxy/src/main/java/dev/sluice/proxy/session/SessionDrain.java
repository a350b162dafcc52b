package dev.sluice.proxy.session;

import dev.sluice.protocol.message.server.ErrPacket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful drain of a stopping Sluice (the listeners are closed already): every session ends as soon as it is
 * between statements outside a transaction (an idle one at once), with nothing sent, as MariaDB closes its idle
 * connections when it shuts down (10.11 sends them no ERR; a statement sent after that point gets ERR 1053); what is
 * still busy when {@code shutdown-timeout} passes is cut with ERR 1053 saying what: its statement is stopped on the
 * server (KILL QUERY), its transaction is not committed. Sessions that log in while the drain runs (accepted before
 * the listeners closed) are drained as they appear.
 */
public final class SessionDrain {
    private static final Logger LOG = LoggerFactory.getLogger(SessionDrain.class);
    private static final long POLL_MILLIS = 10;

    /**
     * What the drain did.
     *
     * @param idle sessions that were idle and ended at once
     * @param finished sessions that finished their statement or transaction within the timeout, then ended
     * @param cut sessions still busy at the timeout: ended with ERR 1053 saying what was cut
     * @param took how long the drain took
     */
    public record Result(int idle, int finished, int cut, Duration took) {
        public int sessions() {
            return idle + finished + cut;
        }

        @Override
        public String toString() {
            return sessions() + " sessions: " + idle + " idle (closed at once), " + finished
                    + " finished their statement or transaction, " + cut + " cut at shutdown-timeout; took "
                    + took.toMillis() + " ms";
        }
    }

    private SessionDrain() {}

    /** The ERR 1053 answering a statement sent after the drain began, between transactions. */
    static ErrPacket refused() {
        return ProxyErrors.shutdown(
                "this Sluice is shutting down and takes no new statements; this one was not sent to a server");
    }

    /** The detail of the ERR 1053 a session gets when shutdown-timeout passes with it busy. */
    static ErrPacket cut(Duration timeout, String running, boolean inTransaction) {
        return ProxyErrors.shutdown(cutDetail(timeout, running, inTransaction));
    }

    private static String cutDetail(Duration timeout, String running, boolean inTransaction) {
        String why = "this Sluice is shutting down and shutdown-timeout (" + timeout.toMillis() + " ms) passed";
        if (running != null) {
            return why + " while " + running + " was running: it was stopped and may not have completed"
                    + (inTransaction ? "; the open transaction was not committed (the server rolls it back)" : "");
        }
        return why + (inTransaction ? " with a transaction open: it was not committed (the server rolls it back)" : "");
    }

    /**
     * Drains every session of {@code context}; returns once all have ended (or, after cutting, a bounded wait for
     * their ends and for the KILL QUERYs under way, at most connect-timeout).
     */
    public static Result drain(ProxyContext context, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Map<Long, CompletableFuture<Boolean>> seen = new HashMap<>();
        while (true) {
            for (ClientSession s : context.registry().all()) {
                seen.computeIfAbsent(s.id(), id -> s.drainFromOutside());
            }
            if (context.registry().size() == 0 || System.nanoTime() - deadline >= 0) {
                break;
            }
            pause();
        }
        int cut = 0;
        for (ClientSession s : context.registry().all()) {
            LOG.info("shutdown-timeout passed: cutting {}", s.describe());
            seen.putIfAbsent(s.id(), CompletableFuture.completedFuture(false));
            s.cutFromOutside(timeout);
            cut++;
        }
        long after = System.nanoTime() + context.config().timeouts().connect().toNanos();
        // a session's own answer (idle or not) completes on its loop just after it left the registry
        while ((context.registry().size() > 0
                        || context.killsInFlight() > 0
                        || !seen.values().stream().allMatch(CompletableFuture::isDone))
                && System.nanoTime() - after < 0) {
            pause();
        }
        int idle = (int) seen.values().stream()
                .filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join())
                .count();
        int finished = Math.max(0, seen.size() - idle - cut);
        return new Result(idle, finished, cut, Duration.ofNanos(System.nanoTime() - start));
    }

    private static void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while draining", e);
        }
    }
}
