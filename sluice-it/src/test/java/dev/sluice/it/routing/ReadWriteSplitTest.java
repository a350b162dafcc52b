package dev.sluice.it.routing;

import static dev.sluice.it.routing.RoutingFixture.PRIMARY;
import static dev.sluice.it.routing.RoutingFixture.REPLICA_1;
import static dev.sluice.it.routing.RoutingFixture.REPLICA_2;
import static dev.sluice.it.routing.RoutingFixture.SYNC;
import static dev.sluice.it.routing.RoutingFixture.globalStatus;
import static dev.sluice.it.routing.RoutingFixture.scalar;
import static dev.sluice.it.routing.RoutingFixture.who;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.RoutingRule;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.ReplicatedTopology;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The read/write split through Sluice, judged by which server answered ({@code routing.whoami} holds each server's
 * own name) and by the servers' own counters: reads go to the replicas, writes, transactions, hinted and ruled
 * statements and pinned sessions to the primary, a replica that falls behind gets no reads, and with no replica
 * left reads fall back to the primary. The last two tests stop replication and start it again; they run last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadWriteSplitTest {
    /** The rule of (d): statements of app whose text carries this marker go to the writer group. */
    static final String RULE_MARKER = "whoami_writer_marker";

    private static RoutingFixture fixture;

    @BeforeAll
    static void start() throws SQLException {
        fixture = new RoutingFixture(
                "rwsplit",
                RoutingConfig.defaults()
                        .withRules(List.of(new RoutingRule(
                                RoutingFixture.USER, null, Pattern.compile(RULE_MARKER), RoutingFixture.WRITER_GROUP))),
                "CREATE TABLE routing.items (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, v int NOT NULL)");
        // not an assertion: the tests judge their own reads, this only gives the monitor its first polls
        System.out.println("monitor ready: " + fixture.awaitReplicaReads(Duration.ofSeconds(5)));
    }

    @AfterAll
    static void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * (a) 200 autocommit reads from 8 connections at once: every one answered by a replica, and both replicas used.
     * Each read takes a few milliseconds on the server (SLEEP), so reads overlap and least-connections has
     * connections in use to count; sequential reads could all go to one replica and still be right.
     */
    @Test
    @Order(1)
    void autocommitReadsAreAnsweredByTheReplicas() throws Exception {
        int threads = 8;
        int perThread = 25;
        CyclicBarrier together = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Map<String, Integer> answers = new TreeMap<>();
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                runs.add(pool.submit(() -> {
                    List<String> mine = new ArrayList<>();
                    try (Connection c = fixture.connect("")) {
                        together.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < perThread; i++) {
                            mine.add(scalar(c, "SELECT name FROM routing.whoami WHERE SLEEP(0.005) = 0"));
                        }
                    }
                    return mine;
                }));
            }
            for (Future<List<String>> run : runs) {
                run.get(60, TimeUnit.SECONDS).forEach(name -> answers.merge(name, 1, Integer::sum));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(threads * perThread);
        assertThat(answers.keySet())
                .as("servers that answered 200 autocommit reads through Sluice (count by server: %s)", answers)
                .containsExactlyInAnyOrder(REPLICA_1, REPLICA_2);
    }

    /**
     * (b) N inserts through Sluice: the primary's Com_insert grows by exactly N. A MariaDB 10.11 replica counts each
     * applied row event of an INSERT in its Com_insert too (seen here: one per replicated single-row insert), so a
     * replica's counter grows by exactly N once it has applied p's N transactions; an insert Sluice sent to it would
     * come on top (and be refused: read_only).
     */
    @Test
    @Order(2)
    void insertsAreRunByThePrimaryOnly() throws Exception {
        int n = 50;
        fixture.topology.awaitReplicated(SYNC);
        Map<MariaDbSandbox, Long> before = comInsert();
        try (Connection c = fixture.connect("");
                PreparedStatement insert = c.prepareStatement("INSERT INTO routing.items (v) VALUES (?)")) {
            for (int i = 0; i < n; i++) {
                insert.setInt(1, i);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
        }
        fixture.topology.awaitReplicated(SYNC);
        Map<MariaDbSandbox, Long> after = comInsert();
        for (MariaDbSandbox server : fixture.topology.servers()) {
            assertThat(after.get(server) - before.get(server))
                    .as("Com_insert on %s after %d inserts through Sluice, replicated", fixture.nameOf(server), n)
                    .isEqualTo(n);
        }
        try (Connection direct = RoutingFixture.direct(fixture.server(PRIMARY))) {
            assertThat(scalar(direct, "SELECT COUNT(*) FROM routing.items WHERE v >= 0"))
                    .as("rows on p")
                    .isEqualTo(Integer.toString(n));
        }
    }

    /** (c) A select inside BEGIN ... COMMIT is answered by the primary. */
    @Test
    @Order(3)
    void aSelectInATransactionIsAnsweredByThePrimary() throws SQLException {
        try (Connection c = fixture.connect("");
                Statement s = c.createStatement()) {
            s.execute("BEGIN");
            assertThat(who(c)).as("SELECT inside BEGIN ... COMMIT").isEqualTo(PRIMARY);
            assertThat(who(c)).as("a second SELECT in the same transaction").isEqualTo(PRIMARY);
            s.execute("COMMIT");
        }
    }

    /** (c) A select inside START TRANSACTION READ ONLY is answered by a replica, the same one throughout. */
    @Test
    @Order(4)
    void aReadOnlyTransactionIsAnsweredByAReplica() throws SQLException {
        try (Connection c = fixture.connect("");
                Statement s = c.createStatement()) {
            s.execute("START TRANSACTION READ ONLY");
            String first = who(c);
            String second = who(c);
            s.execute("COMMIT");
            assertThat(first).as("SELECT inside START TRANSACTION READ ONLY").isIn(REPLICA_1, REPLICA_2);
            assertThat(second).as("the transaction's second SELECT").isEqualTo(first);
        }
    }

    /** (d) A writer hint sends a select to the primary; the same session's plain select still goes to a replica. */
    @Test
    @Order(5)
    void aWriterHintSendsASelectToThePrimary() throws SQLException {
        try (Connection c = fixture.connect("")) {
            assertThat(scalar(c, "/* sluice:writer */ SELECT name FROM routing.whoami"))
                    .as("hinted SELECT")
                    .isEqualTo(PRIMARY);
            assertThat(scalar(c, "SELECT name FROM routing.whoami /* sluice:writer */"))
                    .as("hint at the end")
                    .isEqualTo(PRIMARY);
            assertThat(who(c)).as("unhinted SELECT after them").isIn(REPLICA_1, REPLICA_2);
        }
    }

    /** (d) The rule (user app, pattern {@value #RULE_MARKER}) sends a select to group {@code primary}. */
    @Test
    @Order(6)
    void aRuleSendsASelectToTheWriterGroup() throws SQLException {
        try (Connection c = fixture.connect("")) {
            assertThat(scalar(c, "SELECT name AS " + RULE_MARKER + " FROM routing.whoami"))
                    .as("SELECT matching the rule")
                    .isEqualTo(PRIMARY);
            assertThat(who(c)).as("SELECT not matching it").isIn(REPLICA_1, REPLICA_2);
        }
    }

    /**
     * (e) A pinned session has its selects answered by the primary, where the statement that pinned it ran (a
     * temporary table pins until dropped, a user variable for the session's life). The last read shows the pinned
     * object is there: the reads ran on the connection that made it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "CREATE TEMPORARY TABLE tt (a int) | SELECT COUNT(*) FROM tt | 0",
                "SET @v = 1                        | SELECT @v               | 1"
            })
    @Order(7)
    void aPinnedSessionReadsFromThePrimary(String pin, String check, String expected) throws SQLException {
        try (Connection c = fixture.connect("");
                Statement s = c.createStatement()) {
            s.execute(pin);
            for (int i = 0; i < 5; i++) {
                assertThat(who(c)).as("SELECT %d after %s", i, pin).isEqualTo(PRIMARY);
            }
            assertThat(scalar(c, check)).isEqualTo(expected);
        }
    }

    /**
     * (f) r1's SQL thread stopped and a write it has received but not applied: within a few seconds (the monitor
     * polls every 200 ms) reads come from r2 only, 50 in a row. Reads from p would not do: r2 is a healthy replica.
     */
    @Test
    @Order(8)
    void aLaggingReplicaGetsNoReads() throws Exception {
        ReplicatedTopology topology = fixture.topology;
        MariaDbSandbox r1 = fixture.server(REPLICA_1);
        topology.stopSqlThread(r1);
        try {
            writeDirectlyAndAwaitReceived(r1);
            assertReadsSettleOn(REPLICA_2, "stopping r1's SQL thread");
        } finally {
            topology.startSqlThread(r1);
            fixture.awaitReplicasServing(SYNC);
        }
    }

    /** (g) Neither replica replicating: reads fall back to the primary. */
    @Test
    @Order(9)
    void withNoReplicaLeftReadsGoToThePrimary() throws Exception {
        ReplicatedTopology topology = fixture.topology;
        List<MariaDbSandbox> replicas = List.of(fixture.server(REPLICA_1), fixture.server(REPLICA_2));
        // a replica that does not replicate has an unknown lag (Seconds_Behind_Master NULL): no reads for it
        replicas.forEach(topology::stopReplication);
        try {
            assertReadsSettleOn(PRIMARY, "stopping both replicas");
        } finally {
            replicas.forEach(topology::startReplication);
            fixture.awaitReplicasServing(SYNC);
        }
    }

    /**
     * Two writable servers at once (split brain): writes go nowhere. With a failover buffer of 1 s, an insert waits
     * that long and gets ERR 1429 "no writer", and is on no server; reads still go to the replicas. With one writer
     * again, writes go through.
     */
    @Test
    @Order(10)
    void twoWritableServersGetNoWrites() throws Exception {
        int port = fixture.startProxy(
                fixture.config(RoutingConfig.defaults().withFailoverBuffer(Duration.ofSeconds(1), 100)));
        MariaDbSandbox second = fixture.server(REPLICA_2);
        int refusedValue = -1;
        second.execute("SET GLOBAL read_only = OFF");
        try (Connection c = RoutingFixture.connect(port, "");
                Statement s = c.createStatement()) {
            // inserts succeed until the monitor's next polls see the second writer
            SQLException refused = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            for (int i = 0; refused == null && System.nanoTime() < deadline; i++) {
                try {
                    s.executeUpdate("INSERT INTO routing.items (v) VALUES (" + (1_000_000 + i) + ")");
                } catch (SQLException e) {
                    refused = e;
                    refusedValue = 1_000_000 + i;
                }
            }
            assertThat((Throwable) refused)
                    .as("an insert while two servers are writable")
                    .isNotNull();
            assertThat(refused.getErrorCode()).as(refused.getMessage()).isEqualTo(1429);
            assertThat(refused.getMessage()).contains("no writer");
            assertThat(who(c)).as("a read during the conflict").isIn(PRIMARY, REPLICA_1, REPLICA_2);
            second.execute("SET GLOBAL read_only = ON");
            assertThat(RoutingFixture.poll(
                            () -> {
                                try {
                                    s.executeUpdate("INSERT INTO routing.items (v) VALUES (2000000)");
                                    return true;
                                } catch (SQLException e) {
                                    return false;
                                }
                            },
                            Duration.ofSeconds(10)))
                    .as("an insert once one writer is left")
                    .isTrue();
        } finally {
            second.execute("SET GLOBAL read_only = ON");
        }
        fixture.awaitReplicasServing(SYNC);
        for (MariaDbSandbox server : fixture.topology.servers()) {
            try (Connection direct = RoutingFixture.direct(server)) {
                assertThat(scalar(direct, "SELECT COUNT(*) FROM routing.items WHERE v = " + refusedValue))
                        .as("the refused insert stored on %s", fixture.nameOf(server))
                        .isEqualTo("0");
            }
        }
    }

    /**
     * Reads through Sluice until 50 in a row are answered by {@code server}: the monitor polls every 200 ms, so a
     * change of topology reaches routing within a few polls; 5 s is the limit.
     */
    private static void assertReadsSettleOn(String server, String after) throws SQLException {
        try (Connection c = fixture.connect("")) {
            RoutingFixture.Reads reads = RoutingFixture.readUntil(c, server::equals, 50, Duration.ofSeconds(5));
            assertThat(reads.reached())
                    .as("50 reads in a row answered by %s within 5 s of %s: %s", server, after, reads)
                    .isTrue();
        }
    }

    private static Map<MariaDbSandbox, Long> comInsert() {
        Map<MariaDbSandbox, Long> counts = new HashMap<>();
        for (MariaDbSandbox server : fixture.topology.servers()) {
            counts.put(server, globalStatus(server, "Com_insert"));
        }
        return counts;
    }

    /** One insert on the primary, bypassing Sluice, so that a stopped replica is behind by a transaction. */
    private static void insertDirectly(MariaDbSandbox primary) throws SQLException {
        try (Connection direct = RoutingFixture.direct(primary);
                Statement s = direct.createStatement()) {
            s.executeUpdate("INSERT INTO routing.items (v) VALUES (-1)");
        }
    }

    /** {@link #insertDirectly}, then waits until the lagging replica's IO thread has received it. */
    private static void writeDirectlyAndAwaitReceived(MariaDbSandbox lagging) throws SQLException {
        MariaDbSandbox primary = fixture.server(PRIMARY);
        insertDirectly(primary);
        var target = ReplicatedTopology.binlogPosition(primary);
        assertThat(RoutingFixture.poll(
                        () -> fixture.topology.status(lagging).gtidIoPos().covers(target), SYNC))
                .as("%s received [%s]", lagging, target)
                .isTrue();
        assertThat(fixture.topology.status(lagging).gtidSlavePos().covers(target))
                .as("%s applied the write with its SQL thread stopped", lagging)
                .isFalse();
    }
}
