package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One primary and two replicas shared by the class, checked with real queries: replication of rows and accounts,
 * read_only, a replica whose SQL thread is stopped, then the primary killed, a replica promoted and the old primary
 * rejoined. The tests run in order and each builds on the state the previous one left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicatedTopologyTest {
    private static final Duration SYNC = Duration.ofSeconds(15);

    private static ReplicatedTopology topology;
    private static MariaDbSandbox first;
    private static MariaDbSandbox r0;
    private static MariaDbSandbox r1;

    @BeforeAll
    static void start() {
        topology = ReplicatedTopology.builder()
                .name("repl")
                .user("app", "secret")
                .initSql("CREATE DATABASE shop", "CREATE TABLE shop.item (id INT PRIMARY KEY)")
                .start();
        first = topology.primary();
        r0 = topology.replica(0);
        r1 = topology.replica(1);
    }

    @AfterAll
    static void close() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    @Order(1)
    void everyServerHasItsOwnIdAndTheReplicationSettingsAndTheUsers() throws SQLException {
        assertThat(topology.servers()).containsExactly(first, r0, r1);
        assertThat(topology.replicas()).containsExactly(r0, r1);
        for (MariaDbSandbox server : topology.servers()) {
            assertThat(server.execute("SELECT @@log_bin, @@log_slave_updates, @@binlog_format, @@gtid_strict_mode")
                            .strip())
                    .as(server.name())
                    .isEqualTo("1\t1\tROW\t1");
            // the account was created on the primary only
            assertThat(scalarAsApp(server, "SELECT CURRENT_USER()")).isEqualTo("app@%");
        }
        assertThat(List.of(serverId(first), serverId(r0), serverId(r1))).containsExactly(1L, 2L, 3L);
    }

    @Test
    @Order(2)
    void replicasAreReadOnlyAndThePrimaryIsNot() throws SQLException {
        assertThat(scalarAsApp(first, "SELECT @@read_only")).isEqualTo("0");
        for (MariaDbSandbox replica : List.of(r0, r1)) {
            assertThat(scalarAsApp(replica, "SELECT @@read_only")).isEqualTo("1");
            assertThatThrownBy(() -> insert(replica, 999))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("read-only");
        }
    }

    @Test
    @Order(3)
    void aRowWrittenOnThePrimaryReachesBothReplicas() throws SQLException {
        insert(first, 1);
        topology.awaitReplicated(SYNC);
        GtidPosition written = ReplicatedTopology.binlogPosition(first);
        for (MariaDbSandbox replica : List.of(r0, r1)) {
            assertThat(ids(replica)).as(replica.name()).isEqualTo("1");
            assertThat(topology.status(replica).gtidSlavePos()).isEqualTo(written);
        }
    }

    @Test
    @Order(4)
    void aReplicaWithoutItsSqlThreadFallsBehindThenCatchesUp() throws SQLException {
        topology.stopSqlThread(r0);
        insert(first, 2);
        GtidPosition target = ReplicatedTopology.binlogPosition(first);

        topology.awaitReplicated(r1, SYNC);
        assertThat(ids(r1)).isEqualTo("1,2");
        // the IO thread still receives: the transaction is in r0's relay log, just not applied
        await().atMost(SYNC).until(() -> topology.status(r0).gtidIoPos().covers(target));
        assertThat(ids(r0)).isEqualTo("1");
        ReplicaStatus lagging = topology.status(r0);
        assertThat(lagging.ioRunning()).isTrue();
        assertThat(lagging.sqlRunning()).isFalse();
        assertThat(lagging.secondsBehindMaster()).isEmpty(); // NULL while the SQL thread is stopped
        assertThat(lagging.gtidSlavePos().covers(target)).isFalse();
        assertThatThrownBy(() -> topology.awaitReplicated(Duration.ofMillis(300)))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining(r0.name())
                .hasMessageContaining("has not applied [" + target + "]");

        topology.startSqlThread(r0);
        topology.awaitReplicated(SYNC);
        assertThat(ids(r0)).isEqualTo("1,2");
        await().atMost(SYNC)
                .until(() -> topology.status(r0).secondsBehindMaster().equals(OptionalLong.of(0)));
    }

    @Test
    @Order(5)
    void afterThePrimaryIsKilledAPromotedReplicaTakesWritesAndFeedsTheOther() throws SQLException {
        GtidPosition before = ReplicatedTopology.binlogPosition(first);
        topology.killPrimary();
        assertThat(first.isRunning()).isFalse();

        topology.promote(r0);
        assertThat(topology.primary()).isSameAs(r0);
        assertThat(topology.replicas()).containsExactly(r1);
        assertThat(scalarAsApp(r0, "SELECT @@read_only")).isEqualTo("0");
        assertThat(topology.status(r0).isReplica()).isFalse();
        assertThat(topology.status(r1).masterPort()).isEqualTo(r0.port());

        insert(r0, 3);
        topology.awaitReplicated(SYNC);
        assertThat(ids(r1)).isEqualTo("1,2,3");
        GtidPosition after = ReplicatedTopology.binlogPosition(r0);
        GtidPosition.Gtid last = after.domain(0).orElseThrow();
        // one more transaction in the same domain, numbered on from the old primary's, written by the new one
        assertThat(last.seqNo()).isEqualTo(before.domain(0).orElseThrow().seqNo() + 1);
        assertThat(last.serverId()).isEqualTo(serverId(r0));
        assertThat(topology.status(r1).gtidSlavePos()).isEqualTo(after);
        assertThat(ReplicatedTopology.binlogPosition(r1)).isEqualTo(after);
        await().atMost(SYNC).until(() -> topology.status(r1).ioRunning());
    }

    @Test
    @Order(6)
    void theOldPrimaryRejoinsAsAReplicaOfTheNewOne() throws SQLException {
        first.start(); // crash recovery; comes back writable, as a real restarted primary would
        topology.rejoin(first);
        assertThat(topology.replicas()).containsExactly(r1, first);
        insert(r0, 4);
        topology.awaitReplicated(SYNC);
        assertThat(ids(first)).isEqualTo("1,2,3,4");
        assertThat(scalarAsApp(first, "SELECT @@read_only")).isEqualTo("1");
        assertThat(topology.status(first).gtidSlavePos()).isEqualTo(ReplicatedTopology.binlogPosition(r0));
    }

    private static void insert(MariaDbSandbox server, int id) throws SQLException {
        try (Connection c = Jdbc.connect(server, "app", "secret", "");
                Statement statement = c.createStatement()) {
            statement.executeUpdate("INSERT INTO shop.item VALUES (" + id + ")");
        }
    }

    private static String ids(MariaDbSandbox server) throws SQLException {
        return scalarAsApp(server, "SELECT COALESCE(GROUP_CONCAT(id ORDER BY id), '') FROM shop.item");
    }

    private static String scalarAsApp(MariaDbSandbox server, String sql) throws SQLException {
        try (Connection c = Jdbc.connect(server, "app", "secret", "")) {
            return Jdbc.scalar(c, sql);
        }
    }

    private static long serverId(MariaDbSandbox server) {
        return Long.parseLong(server.execute("SELECT @@server_id").strip());
    }
}
