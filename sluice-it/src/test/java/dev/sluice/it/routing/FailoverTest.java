package dev.sluice.it.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.testkit.GtidPosition;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.ReplicatedTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Failover under write load, each test on a topology of its own (it ends with the primary gone): 8 writers insert
 * unique keys through Sluice and note what each statement got; the primary is killed (or frozen), a second later
 * the most advanced replica is promoted, and writes go on for 3 s. Then, read on the new primary itself: every key a
 * client saw OK is there exactly once, no key is there twice ({@code routing.ledger} has no unique index on k, so a
 * statement run twice would show), at most one statement per writer failed (the one in flight when the primary
 * went), and every writer had statements succeed after the promotion.
 */
class FailoverTest {
    private static final int WRITERS = 8;
    private static final Duration BEFORE_FAULT = Duration.ofSeconds(2);
    private static final Duration BEFORE_PROMOTION = Duration.ofSeconds(1);
    private static final Duration AFTER_PROMOTION = Duration.ofSeconds(3);
    /** Bounds a statement the client waits on (one sent to a frozen server never answers). */
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private static final String LEDGER = "CREATE TABLE routing.ledger (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY,"
            + " k bigint NOT NULL, t varchar(8) NOT NULL) ENGINE=InnoDB";

    @Test
    void aKilledPrimaryIsReplacedWithoutLosingOrRepeatingAcknowledgedWrites() throws Exception {
        try (RoutingFixture fixture = new RoutingFixture("fo-kill", RoutingConfig.defaults(), LEDGER)) {
            failover(fixture, "killed", MariaDbSandbox::kill);
            assertThat(fixture.violations())
                    .as("protocol violations (an ERR for a lost connection stamped out of sequence was one)")
                    .isZero();
        }
    }

    /**
     * The primary frozen (SIGSTOP) rather than dead: connections to it stay open and nothing answers. The replica is
     * promoted while it is frozen; afterwards the frozen server is killed without running again, since it still has
     * read_only off and would be a second writer.
     */
    @Test
    void aFrozenPrimaryIsReplacedWithoutLosingOrRepeatingAcknowledgedWrites() throws Exception {
        try (RoutingFixture fixture = new RoutingFixture("fo-freeze", RoutingConfig.defaults(), LEDGER)) {
            MariaDbSandbox old = fixture.topology.primary();
            try {
                failover(fixture, "frozen", MariaDbSandbox::pause);
            } finally {
                old.kill(); // SIGKILL also ends a stopped process, which so never resumes as a writer
            }
            assertThat(fixture.violations()).as("protocol violations").isZero();
        }
    }

    /** What one write got. */
    enum Result {
        OK,
        /** an ERR packet; the connection stays */
        ERR,
        /** the connection broke while the statement was out: it may or may not have been committed */
        LOST,
        /** the driver could not open a session through Sluice (connect or its set-up statements): never sent */
        REFUSED
    }

    /** One statement of a writer: its key, result, start and end, and for a failure the error. */
    record Outcome(int writer, long key, Result result, long startNanos, long endNanos, String error) {
        long latencyNanos() {
            return endNanos - startNanos;
        }
    }

    /** A writer thread: inserts key after key on its own connection, reconnecting when the connection is lost. */
    private static final class Writer implements Runnable {
        private final int id;
        private final int port;
        private final AtomicBoolean stop;
        private final Consumer<Outcome> ledger;

        Writer(int id, int port, AtomicBoolean stop, Consumer<Outcome> ledger) {
            this.id = id;
            this.port = port;
            this.stop = stop;
            this.ledger = ledger;
        }

        @Override
        public void run() {
            Connection c = null;
            long seq = 0;
            while (!stop.get()) {
                // a write's latency counts from before the reconnect it needed: the wait for a new writer is there
                long start = System.nanoTime();
                if (c == null) {
                    try {
                        c = RoutingFixture.connect(port, "socketTimeout=" + SOCKET_TIMEOUT_MS);
                    } catch (SQLException e) {
                        // to the application this is a write that failed, as much as an ERR is
                        long key = id * 1_000_000_000L + seq++;
                        long now = System.nanoTime();
                        ledger.accept(new Outcome(id, key, Result.REFUSED, now, now, describe(e)));
                        pace();
                        continue;
                    }
                }
                long key = id * 1_000_000_000L + seq++;
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO routing.ledger (k, t) VALUES (?, ?)")) {
                    insert.setLong(1, key);
                    insert.setString(2, "w" + id);
                    insert.executeUpdate();
                    ledger.accept(new Outcome(id, key, Result.OK, start, System.nanoTime(), null));
                } catch (SQLException e) {
                    long end = System.nanoTime();
                    boolean lost = e instanceof SQLNonTransientConnectionException
                            || (e.getSQLState() != null && e.getSQLState().startsWith("08"))
                            || isClosed(c);
                    ledger.accept(new Outcome(id, key, lost ? Result.LOST : Result.ERR, start, end, describe(e)));
                    if (lost) {
                        closeQuietly(c);
                        c = null;
                    }
                    pace(); // a failing writer must not spin
                }
            }
            closeQuietly(c);
        }

        private static String describe(SQLException e) {
            return e.getErrorCode() + " (" + e.getSQLState() + ") " + e.getMessage();
        }

        /** Rate limit after a failure, not a wait for anything. */
        private static void pace() {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }

        private static boolean isClosed(Connection c) {
            try {
                return c.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }

        private static void closeQuietly(Connection c) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // lost already
                }
            }
        }
    }

    private static void failover(RoutingFixture fixture, String how, Consumer<MariaDbSandbox> fault) throws Exception {
        ReplicatedTopology topology = fixture.topology;
        Map<Long, Outcome> ledger = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            Writer writer = new Writer(i, fixture.port(), stop, o -> ledger.put(o.key(), o));
            Thread thread = new Thread(writer, "ledger-writer-" + i);
            threads.add(thread);
            thread.start();
        }
        long faultAt;
        long promotedAt;
        MariaDbSandbox promoted;
        // a session with a transaction open on the primary at the fault: its state is gone with it
        Connection holder = RoutingFixture.connect(fixture.port(), "socketTimeout=" + SOCKET_TIMEOUT_MS);
        try (Statement s = holder.createStatement()) {
            s.execute("BEGIN");
            s.execute("INSERT INTO routing.ledger (k, t) VALUES (-1, 'holder')");
        }
        SQLException holderError = null;
        try {
            // the load runs for a set time before the fault; that every writer got going is checked, not assumed
            assertThat(RoutingFixture.poll(() -> okWriters(ledger.values()) == WRITERS, Duration.ofSeconds(10)))
                    .as("every writer had an insert succeed before the fault: %s", summary(ledger.values()))
                    .isTrue();
            hold(BEFORE_FAULT);
            MariaDbSandbox old = topology.primary();
            faultAt = System.nanoTime();
            fault.accept(old);
            hold(BEFORE_PROMOTION);
            promoted = mostAdvanced(topology);
            long promoting = System.nanoTime();
            topology.promote(promoted);
            promotedAt = System.nanoTime();
            System.out.println(how + " " + fixture.nameOf(old) + ", promoted " + fixture.nameOf(promoted) + " "
                    + TimeUnit.NANOSECONDS.toMillis(promotedAt - faultAt) + " ms after the fault (promote() took "
                    + TimeUnit.NANOSECONDS.toMillis(promotedAt - promoting) + " ms)");
            hold(AFTER_PROMOTION);
            try (Statement s = holder.createStatement()) {
                s.execute("COMMIT");
            } catch (SQLException e) {
                holderError = e;
            }
        } finally {
            holder.close();
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(SOCKET_TIMEOUT_MS + 10_000L);
            }
        }
        assertThat(threads).as("writers still running").noneMatch(Thread::isAlive);

        Map<Long, Integer> stored = keysOn(promoted);
        List<Outcome> outcomes = new ArrayList<>(ledger.values());
        report(how, outcomes, faultAt, promotedAt);

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(stored.entrySet().stream()
                        .filter(e -> e.getValue() > 1)
                        .map(Map.Entry::getKey)
                        .toList())
                .as("keys stored more than once on the new primary")
                .isEmpty();
        soft.assertThat(outcomes.stream()
                        .filter(o -> o.result() == Result.OK && stored.getOrDefault(o.key(), 0) != 1)
                        .map(Outcome::key)
                        .limit(20)
                        .toList())
                .as("keys acknowledged OK but not stored exactly once on the new primary (first 20)")
                .isEmpty();
        soft.assertThat(stored.keySet().stream()
                        .filter(k -> !ledger.containsKey(k))
                        .toList())
                .as("keys stored that no writer sent")
                .isEmpty();
        List<Outcome> failed =
                outcomes.stream().filter(o -> o.result() != Result.OK).toList();
        soft.assertThat(failed.size())
                .as("writes that failed (at most one per writer: the one in flight at the fault): %s", examples(failed))
                .isLessThanOrEqualTo(WRITERS);
        Map<Integer, Long> failedByWriter = new TreeMap<>();
        failed.forEach(o -> failedByWriter.merge(o.writer(), 1L, Long::sum));
        soft.assertThat(failedByWriter.values())
                .as("failed writes by writer: %s", failedByWriter)
                .allMatch(n -> n <= 1);
        Map<Integer, Long> okAfterPromotion = new TreeMap<>();
        outcomes.stream()
                .filter(o -> o.result() == Result.OK && o.startNanos() > promotedAt)
                .forEach(o -> okAfterPromotion.merge(o.writer(), 1L, Long::sum));
        soft.assertThat(okAfterPromotion.keySet())
                .as(
                        "writers with inserts started after the promotion that succeeded (count by writer: %s)",
                        okAfterPromotion)
                .hasSize(WRITERS);
        soft.assertThat((Throwable) holderError)
                .as("the COMMIT of a transaction that was open on the old primary")
                .isNotNull();
        if (holderError != null) {
            soft.assertThat(holderError.getErrorCode())
                    .as("its error: %s", holderError.getMessage())
                    .isEqualTo(1927);
        }
        soft.assertThat(stored).as("the holder's uncommitted insert").doesNotContainKey(-1L);
        soft.assertAll();
    }

    /** The replica that received the most of the old primary's binary log: the one to promote, as tools do. */
    private static MariaDbSandbox mostAdvanced(ReplicatedTopology topology) {
        return topology.replicas().stream()
                .max(Comparator.comparingLong(r -> seqNo(topology.status(r).gtidIoPos())))
                .orElseThrow();
    }

    private static long seqNo(GtidPosition position) {
        return position.domain(0).map(GtidPosition.Gtid::seqNo).orElse(0L);
    }

    /** Every key on the server and how many rows carry it. */
    private static Map<Long, Integer> keysOn(MariaDbSandbox server) throws SQLException {
        Map<Long, Integer> keys = new HashMap<>();
        try (Connection c = RoutingFixture.direct(server);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT k, COUNT(*) FROM routing.ledger GROUP BY k")) {
            while (rows.next()) {
                keys.put(rows.getLong(1), rows.getInt(2));
            }
        }
        return keys;
    }

    private static int okWriters(Collection<Outcome> outcomes) {
        return (int) outcomes.stream()
                .filter(o -> o.result() == Result.OK)
                .map(Outcome::writer)
                .distinct()
                .count();
    }

    /** Lets the load run for a while: the test's schedule, nothing is waited for. */
    private static void hold(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private static String summary(Collection<Outcome> outcomes) {
        Map<Result, Long> counts = new TreeMap<>();
        outcomes.forEach(o -> counts.merge(o.result(), 1L, Long::sum));
        return counts.toString();
    }

    /** The failures grouped by result and error (connection ids taken out), most frequent first, at most 5. */
    private static String examples(List<Outcome> failed) {
        Map<String, Long> byError = new TreeMap<>();
        failed.forEach(
                o -> byError.merge(o.result() + " " + o.error().replaceAll("\\(conn=\\d+\\) ", ""), 1L, Long::sum));
        return byError.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(5)
                .map(e -> e.getValue() + " x " + e.getKey())
                .toList()
                .toString();
    }

    /**
     * Prints the counts and the extra latency of the statements that waited through the failover: OK statements in
     * flight at some moment between the fault and the promotion.
     */
    private static void report(String how, List<Outcome> outcomes, long faultAt, long promotedAt) {
        List<Long> before = outcomes.stream()
                .filter(o -> o.result() == Result.OK && o.endNanos() < faultAt)
                .map(Outcome::latencyNanos)
                .sorted()
                .toList();
        List<Long> through = outcomes.stream()
                .filter(o -> o.result() == Result.OK && o.endNanos() > faultAt && o.startNanos() < promotedAt)
                .map(Outcome::latencyNanos)
                .sorted()
                .toList();
        System.out.printf(
                "failover (%s): %s writes, %s; OK latency before the fault p99 %.1f ms;"
                        + " OK statements through the failover %d, p99 %.1f ms, max %.1f ms%n",
                how,
                outcomes.size(),
                summary(outcomes),
                millis(percentile(before, 0.99)),
                through.size(),
                millis(percentile(through, 0.99)),
                millis(through.isEmpty() ? 0 : through.get(through.size() - 1)));
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}
