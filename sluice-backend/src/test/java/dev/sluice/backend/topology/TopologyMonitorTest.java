package dev.sluice.backend.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.testkit.MariaDbSandbox;
import dev.sluice.testkit.ReplicatedTopology;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The monitor against a real primary and two replicas (one topology for the class; the tests run in order, each from
 * the state the previous one left). The monitor logs in as a user with nothing but SLAVE MONITOR, on one event loop
 * thread for all three servers. Every wait is bounded by what the monitor promises: a change is seen within one
 * interval plus one poll deadline, plus slack for a loaded machine. Real lag in seconds comes from delayed replication
 * (MASTER_DELAY), the only way to make Seconds_Behind_Master grow while both threads run without loading the machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyMonitorTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofMillis(1000);
    /**
     * How soon a change must show: a poll that started just before the change answers from before it (up to one
     * deadline), the next starts within an interval and answers; then slack for a loaded machine.
     */
    private static final Duration SEEN_WITHIN =
            INTERVAL.plus(TIMEOUT).plus(INTERVAL).plusMillis(800);

    /** The lag limit of the monitor's LAGGING condition and of {@link #readers}. */
    private static final Duration MAX_LAG = Duration.ofSeconds(1);
    /** The first polls open the connections (and load the classes of a fresh JVM on a busy machine). */
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private static ReplicatedTopology servers;
    private static MariaDbSandbox primary;
    private static MariaDbSandbox r0;
    private static MariaDbSandbox r1;
    private static EventLoopGroup group;
    private static ServerConnector connector;
    private static TopologyMonitor monitor;
    private static final List<Topology> seen = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        servers = ReplicatedTopology.builder()
                .name("monitor")
                .initSql(
                        "CREATE USER monitor@'%' IDENTIFIED BY 'monitor-pw'",
                        "GRANT SLAVE MONITOR ON *.* TO monitor@'%'",
                        "CREATE USER client@'%' IDENTIFIED BY 'client-pw'",
                        "GRANT REPLICATION CLIENT ON *.* TO client@'%'",
                        "CREATE DATABASE shop",
                        "CREATE TABLE shop.item (id INT AUTO_INCREMENT PRIMARY KEY)")
                .start();
        primary = servers.primary();
        r0 = servers.replica(0);
        r1 = servers.replica(1);
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        List<MonitoredServer> monitored = servers.servers().stream()
                .map(s -> new MonitoredServer(s.name(), s.host(), s.port()))
                .toList();
        connector = new ServerConnector(group, transport);
        monitor = monitor(monitored, "monitor", "monitor-pw");
        monitor.addListener(seen::add);
        monitor.start();
    }

    private static TopologyMonitor monitor(List<MonitoredServer> monitored, String user, String password) {
        return new TopologyMonitor(
                monitored,
                s -> ConnectOptions.builder(s.host(), s.port())
                        .user(user, password)
                        .build(),
                connector,
                new MonitorSettings(INTERVAL, TIMEOUT, MAX_LAG));
    }

    @AfterAll
    static void stop() {
        if (monitor != null) {
            monitor.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (servers != null) {
            servers.close();
        }
    }

    private static Topology awaitTopology(String what, Predicate<Topology> condition) {
        return awaitTopology(what, SEEN_WITHIN, condition);
    }

    /** The first snapshot (polled every 20 ms) that meets {@code condition}; fails with the last one seen. */
    private static Topology awaitTopology(String what, Duration within, Predicate<Topology> condition) {
        AtomicReference<Topology> met = new AtomicReference<>();
        try {
            await(what).atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> {
                Topology topology = monitor.current();
                if (condition.test(topology)) {
                    met.set(topology);
                }
                return met.get() != null;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " not seen within " + within + "; " + monitor.current(), e);
        }
        return met.get();
    }

    private static ServerState state(Topology topology, MariaDbSandbox server) {
        return topology.server(server.name()).orElseThrow();
    }

    private static List<String> readers(Topology topology) {
        return topology.readers(MAX_LAG).stream().map(ServerState::name).toList();
    }

    private static String writer(Topology topology) {
        return topology.writer().map(ServerState::name).orElse("none");
    }

    /** {@code transactions} inserts on the primary, each its own transaction and GTID. */
    private static void write(int transactions) {
        primary.execute("INSERT INTO shop.item () VALUES ();".repeat(transactions));
    }

    @Test
    @Order(1)
    void oneWriterAndTwoCaughtUpReaders() {
        Topology topology = awaitTopology(
                "the primary as writer, both replicas as readers with lag 0",
                STARTUP,
                t -> writer(t).equals(primary.name()) && readers(t).equals(List.of(r0.name(), r1.name())));

        ServerState writer = state(topology, primary);
        assertThat(writer.replication()).isNull();
        assertThat(writer.binlogPos().isEmpty()).isFalse();
        for (MariaDbSandbox replica : List.of(r0, r1)) {
            ServerState state = state(topology, replica);
            assertThat(state.readOnly()).isTrue();
            assertThat(state.replication().secondsBehindMaster()).isZero();
            assertThat(state.replication().masterPort()).isEqualTo(primary.port());
            assertThat(topology.transactionsBehindWriter(replica.name())).hasValue(0);
        }
        assertThat(topology.writerConflict()).isFalse();
        assertThat(monitor.changeCount(TopologyChange.BECAME_WRITER)).isEqualTo(1);
        assertThat(monitor.changeCount(TopologyChange.BECAME_READER)).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aReplicaWhoseSqlThreadStoppedFallsBehindByGtidAndTakesNoReadsUntilItCatchesUp() {
        servers.stopSqlThread(r0);
        write(3);

        Topology behind = awaitTopology(
                "replica 0 with its SQL thread stopped, three transactions behind",
                t -> !state(t, r0).replication().sqlRunning()
                        && t.transactionsBehindWriter(r0.name()).orElse(0) >= 3);
        assertThat(readers(behind)).containsExactly(r1.name());
        ServerState lagging = state(behind, r0);
        assertThat(lagging.replication().sqlRunning()).isFalse();
        assertThat(lagging.replication().ioRunning()).isTrue();
        assertThat(lagging.replication().secondsBehindMaster()).isNull();
        assertThat(ServerCondition.of(lagging, 5)).isEqualTo(ServerCondition.REPLICATION_STOPPED);

        servers.startSqlThread(r0);
        Topology caughtUp = awaitTopology(
                "replica 0 caught up and a reader again",
                t -> readers(t).contains(r0.name())
                        && t.transactionsBehindWriter(r0.name()).orElse(-1) == 0);
        assertThat(readers(caughtUp)).containsExactly(r0.name(), r1.name());
        assertThat(monitor.changeCount(TopologyChange.REPLICATION_STOPPED)).isEqualTo(1);
    }

    @Test
    @Order(3)
    void stoppedReplicationIsReportedAndTakesNoReads() {
        servers.stopReplication(r0);

        Topology stopped = awaitTopology(
                "replica 0's replication stopped",
                t -> state(t, r0).replica() && !state(t, r0).replication().ioRunning());
        ServerState state = state(stopped, r0);
        assertThat(state.replication().sqlRunning()).isFalse();
        assertThat(state.replication().stoppedReason()).contains("IO thread not running", "SQL thread not running");
        assertThat(readers(stopped)).containsExactly(r1.name());
        assertThat(monitor.changeCount(TopologyChange.REPLICATION_STOPPED)).isEqualTo(2);

        servers.startReplication(r0);
        awaitTopology("replica 0 a reader again", t -> readers(t).equals(List.of(r0.name(), r1.name())));
    }

    @Test
    @Order(4)
    void aFrozenReplicaIsUnreachableWithinOneDeadlineWhileTheOthersKeepBeingPolled() {
        long before = seen.size();
        Instant paused = Instant.now();
        r1.pause();
        try {
            Topology frozen =
                    awaitTopology("replica 1 unreachable", t -> !state(t, r1).reachable());
            assertThat(state(frozen, r1).failure()).contains("no answer within " + TIMEOUT.toMillis() + " ms");
            assertThat(readers(frozen)).containsExactly(r0.name());
            assertThat(writer(frozen)).isEqualTo(primary.name());
            // while replica 1 hung, the others went on being polled at their interval, on the same thread
            awaitTopology(
                    "two more polls of the primary after replica 1 was marked",
                    t -> state(t, primary)
                            .polledAt()
                            .isAfter(state(frozen, r1).polledAt().plus(INTERVAL)));
            List<Instant> primaryPolls = seen.subList((int) before, seen.size()).stream()
                    .map(t -> state(t, primary).polledAt())
                    .filter(at -> at.isAfter(paused))
                    .distinct()
                    .toList();
            for (int i = 1; i < primaryPolls.size(); i++) {
                assertThat(Duration.between(primaryPolls.get(i - 1), primaryPolls.get(i)))
                        .as("time between two polls of the primary while replica 1 hangs")
                        .isLessThan(INTERVAL.plus(TIMEOUT.dividedBy(2)));
            }
            assertThat(monitor.changeCount(TopologyChange.DOWN)).isEqualTo(1);
        } finally {
            r1.resume();
        }
        awaitTopology("replica 1 back as a reader", t -> readers(t).equals(List.of(r0.name(), r1.name())));
        assertThat(monitor.changeCount(TopologyChange.UP)).isEqualTo(1);
    }

    @Test
    @Order(5)
    void aKilledPrimaryLeavesNoWriterAndAPromotedReplicaBecomesIt() {
        servers.killPrimary();
        Topology dead =
                awaitTopology("the primary unreachable", t -> !state(t, primary).reachable());
        assertThat(dead.writer()).isEmpty();
        assertThat(dead.writerConflict()).isFalse();

        servers.promote(r0);
        Topology promoted = awaitTopology(
                "replica 0 the writer, replica 1 its reader",
                t -> writer(t).equals(r0.name())
                        && readers(t).equals(List.of(r1.name()))
                        && state(t, r1).replication().masterPort() == r0.port());
        assertThat(state(promoted, r0).replication()).isNull();
        assertThat(state(promoted, r1).replication().masterPort()).isEqualTo(r0.port());
        assertThat(state(promoted, primary).reachable()).isFalse();
    }

    @Test
    @Order(6)
    void aSecondWritableServerIsAConflictWithNoWriterUntilItIsReadOnlyAgain() {
        r1.execute("SET GLOBAL read_only = OFF");
        Topology conflict = awaitTopology("two writers", Topology::writerConflict);
        assertThat(conflict.writers()).extracting(ServerState::name).containsExactly(r0.name(), r1.name());
        assertThat(conflict.writer()).isEmpty();
        assertThat(monitor.changeCount(TopologyChange.WRITER_CONFLICT)).isEqualTo(1);

        r1.execute("SET GLOBAL read_only = ON");
        Topology resolved = awaitTopology("one writer again", t -> writer(t).equals(r0.name()));
        assertThat(resolved.writerConflict()).isFalse();
        assertThat(readers(resolved)).containsExactly(r1.name());
        assertThat(monitor.changeCount(TopologyChange.WRITER_CONFLICT_RESOLVED)).isEqualTo(1);
    }

    @Test
    @Order(7)
    void aUserWithoutSlaveMonitorCannotReadTheReplicationStatusAndTheReasonSaysWhatToGrant() {
        MariaDbSandbox replica = servers.replica(0);
        try (TopologyMonitor other = monitor(
                List.of(new MonitoredServer(replica.name(), replica.host(), replica.port())), "client", "client-pw")) {
            other.start();
            await("a poll as a user with REPLICATION CLIENT only")
                    .atMost(STARTUP)
                    .until(() -> !other.current().servers().get(0).failure().equals("not polled yet"));
            ServerState refused = other.current().servers().get(0);
            assertThat(refused.reachable()).isFalse();
            assertThat(refused.failure()).contains("grant SLAVE MONITOR", "1227");
        }
    }

    @Test
    @Order(8)
    void aDelayedReplicaLagsBySecondsBehindMasterAndCatchesUp() {
        MariaDbSandbox replica = servers.replica(0);
        replica.execute("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 3; START SLAVE");
        try {
            servers.primary().execute("INSERT INTO shop.item () VALUES ()");
            Topology lagging = awaitTopology(
                    "the delayed replica above " + MAX_LAG.toSeconds() + " s",
                    Duration.ofSeconds(5),
                    t -> ServerCondition.of(state(t, replica), MAX_LAG.toSeconds()) == ServerCondition.LAGGING);
            ServerState state = state(lagging, replica);
            assertThat(state.replication().running()).isTrue();
            assertThat(state.replication().secondsBehindMaster()).isGreaterThan(MAX_LAG.toSeconds());
            assertThat(readers(lagging)).isEmpty();
            assertThat(lagging.transactionsBehindWriter(replica.name())).hasValue(1);
            assertThat(monitor.changeCount(TopologyChange.LAGGING)).isEqualTo(1);

            awaitTopology(
                    "the delayed replica caught up",
                    Duration.ofSeconds(5),
                    t -> readers(t).equals(List.of(replica.name())));
            assertThat(monitor.changeCount(TopologyChange.CAUGHT_UP)).isEqualTo(1);
        } finally {
            replica.execute("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
        }
    }
}
