package dev.sluice.it.routing;

import static dev.sluice.it.routing.RoutingFixture.PRIMARY;
import static dev.sluice.it.routing.RoutingFixture.REPLICA_1;
import static dev.sluice.it.routing.RoutingFixture.REPLICA_2;
import static dev.sluice.it.routing.RoutingFixture.SYNC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.CausalReads;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.testkit.MariaDbSandbox;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Causal reads: a session that wrote a row and reads it back at once through Sluice finds it, although the read goes
 * to a replica. The read names the server that answered (its whoami row) and counts the row in one statement, so a
 * run says both whether the row was seen and where. The second test is the proof that the first can fail: without
 * causal reads, and with the replicas applying a second late, reads on replicas miss their rows.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CausalReadsTest {
    private static final String INSERT = "INSERT INTO routing.causal (k, v) VALUES (?, 1)";
    /** One row: the answering server's name and whether it has row k. Only reads: a reader may run it. */
    private static final String READ_BACK =
            "SELECT w.name, (SELECT COUNT(*) FROM routing.causal c WHERE c.k = ?) FROM routing.whoami w";

    private static RoutingFixture fixture;

    @BeforeAll
    static void start() throws SQLException {
        fixture = new RoutingFixture(
                "causal",
                RoutingConfig.defaults(),
                "CREATE TABLE routing.causal (k bigint NOT NULL PRIMARY KEY, v int NOT NULL)");
        System.out.println("monitor ready: " + fixture.awaitReplicaReads(Duration.ofSeconds(5)));
    }

    @AfterAll
    static void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** What one loop of write-then-read saw. */
    record Run(int iterations, Map<String, Integer> answeredBy, int missed, int missedOnReplicas, Duration took) {
        int byReplicas() {
            return answeredBy.getOrDefault(REPLICA_1, 0) + answeredBy.getOrDefault(REPLICA_2, 0);
        }

        @Override
        public String toString() {
            return iterations + " write-then-read in " + took.toMillis() + " ms; answered by " + answeredBy
                    + "; rows not found: " + missed + " (" + missedOnReplicas + " on replicas)";
        }
    }

    /** With causal reads LOCAL (the default), 10,000 reads right after their writes all find their rows. */
    @Test
    @Order(1)
    void everyReadFindsTheRowItsSessionJustWrote() throws SQLException {
        Run run;
        try (Connection c = fixture.connect("")) {
            run = writeThenRead(c, 0, 10_000);
        }
        System.out.println("causal reads LOCAL: " + run);
        assertThat(run.missed()).as("reads that missed their own row: %s", run).isZero();
        // with every read on the primary the loop above proves nothing about causal reads
        assertThat(run.byReplicas()).as("reads answered by a replica: %s", run).isPositive();
    }

    /**
     * The same loop through a Sluice with causal reads NONE while both replicas apply each transaction a second
     * after the primary (MASTER_DELAY = 1; within the default lag limit of 10 s, so they stay eligible): reads on
     * the replicas miss their rows, which shows the check above is able to fail.
     */
    @Test
    @Order(2)
    void withoutCausalReadsAndSlowReplicasSomeReadsAreStale() throws SQLException {
        List<MariaDbSandbox> replicas = List.of(fixture.server(REPLICA_1), fixture.server(REPLICA_2));
        int port = fixture.startProxy(fixture.config(RoutingConfig.defaults().withCausalReads(CausalReads.NONE)));
        replicas.forEach(r -> setDelay(r, 1));
        Run run;
        try {
            assertReplicasAreBehind(replicas);
            try (Connection c = RoutingFixture.connect(port, "")) {
                // the new Sluice's monitor needs its first polls before reads may go to replicas
                System.out.println("monitor ready: "
                        + RoutingFixture.readUntil(c, n -> !n.equals(PRIMARY), 1, Duration.ofSeconds(5)));
                run = writeThenRead(c, 1_000_000, 1_000);
            }
        } finally {
            replicas.forEach(r -> setDelay(r, 0));
            fixture.awaitReplicasServing(SYNC);
        }
        System.out.println("causal reads NONE, replicas 1 s behind: " + run);
        assertThat(run.missedOnReplicas())
                .as("reads on a replica that missed the row just written: %s", run)
                .isPositive();
    }

    /**
     * Causal reads LOCAL with replicas further behind than causal-read-timeout (MASTER_DELAY = 2, timeout 200 ms): the
     * wait on the replica times out and the read goes to the primary. Every read still finds its row.
     */
    @Test
    @Order(3)
    void aReadWhoseWaitTimesOutGoesToThePrimary() throws SQLException {
        List<MariaDbSandbox> replicas = List.of(fixture.server(REPLICA_1), fixture.server(REPLICA_2));
        RoutingConfig d = RoutingConfig.defaults();
        int port = fixture.startProxy(fixture.config(new RoutingConfig(
                true,
                CausalReads.LOCAL,
                Duration.ofMillis(200),
                d.failoverBufferTimeout(),
                d.failoverBufferStatements(),
                d.rules())));
        replicas.forEach(r -> setDelay(r, 2));
        Run run;
        try {
            try (Connection c = RoutingFixture.connect(port, "")) {
                System.out.println("monitor ready: "
                        + RoutingFixture.readUntil(c, n -> !n.equals(PRIMARY), 1, Duration.ofSeconds(5)));
                run = writeThenRead(c, 2_000_000, 20);
            }
        } finally {
            replicas.forEach(r -> setDelay(r, 0));
            fixture.awaitReplicasServing(SYNC);
        }
        System.out.println("causal reads LOCAL, replicas 2 s behind, timeout 200 ms: " + run);
        assertThat(run.missed()).as("reads that missed their own row: %s", run).isZero();
        assertThat(run.answeredBy().getOrDefault(PRIMARY, 0))
                .as("reads that fell back to the primary: %s", run)
                .isPositive();
    }

    /** {@code count} times: insert row {@code first + i}, then read it back at once on the same connection. */
    private static Run writeThenRead(Connection c, long first, int count) throws SQLException {
        return writeThenRead(c, c, first, count);
    }

    /**
     * {@code count} times: insert row {@code first + i} on {@code writer}, then read it back at once on {@code reader}
     * (the same connection or another session).
     */
    static Run writeThenRead(Connection writer, Connection reader, long first, int count) throws SQLException {
        Map<String, Integer> answeredBy = new TreeMap<>();
        int missed = 0;
        int missedOnReplicas = 0;
        long start = System.nanoTime();
        try (PreparedStatement insert = writer.prepareStatement(INSERT);
                PreparedStatement read = reader.prepareStatement(READ_BACK)) {
            for (int i = 0; i < count; i++) {
                long k = first + i;
                insert.setLong(1, k);
                insert.executeUpdate();
                read.setLong(1, k);
                try (ResultSet rows = read.executeQuery()) {
                    if (!rows.next()) {
                        throw new AssertionError("no whoami row from " + READ_BACK);
                    }
                    String server = rows.getString(1);
                    answeredBy.merge(server, 1, Integer::sum);
                    if (rows.getLong(2) == 0) {
                        missed++;
                        missedOnReplicas += server.equals(PRIMARY) ? 0 : 1;
                    }
                }
            }
        }
        return new Run(count, answeredBy, missed, missedOnReplicas, Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * The harness's own check, on the servers directly: a row committed on the primary is not yet on the delayed
     * replicas right after the commit, so a read there would be stale.
     */
    private static void assertReplicasAreBehind(List<MariaDbSandbox> replicas) throws SQLException {
        long k = -1;
        try (Connection p = RoutingFixture.direct(fixture.server(PRIMARY));
                PreparedStatement insert = p.prepareStatement(INSERT)) {
            insert.setLong(1, k);
            insert.executeUpdate();
        }
        for (MariaDbSandbox replica : replicas) {
            try (Connection r = RoutingFixture.direct(replica)) {
                assertThat(RoutingFixture.scalar(r, "SELECT COUNT(*) FROM routing.causal WHERE k = " + k))
                        .as("row %d on %s right after its commit, with MASTER_DELAY = 1", k, fixture.nameOf(replica))
                        .isEqualTo("0");
            }
        }
    }

    /**
     * The replica applies each transaction {@code seconds} after the primary wrote it (MASTER_DELAY; MariaDB takes
     * the change only with both replication threads stopped).
     */
    static void setDelay(MariaDbSandbox replica, int seconds) {
        replica.execute("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = " + seconds + "; START SLAVE");
    }
}
