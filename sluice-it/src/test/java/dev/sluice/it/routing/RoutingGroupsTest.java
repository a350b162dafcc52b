package dev.sluice.it.routing;

import static dev.sluice.it.routing.RoutingFixture.PASSWORD;
import static dev.sluice.it.routing.RoutingFixture.PRIMARY;
import static dev.sluice.it.routing.RoutingFixture.READER_GROUP;
import static dev.sluice.it.routing.RoutingFixture.REPLICA_1;
import static dev.sluice.it.routing.RoutingFixture.REPLICA_2;
import static dev.sluice.it.routing.RoutingFixture.SYNC;
import static dev.sluice.it.routing.RoutingFixture.USER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.Balance;
import dev.sluice.proxy.config.CausalReads;
import dev.sluice.proxy.config.GroupRole;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.ServerGroup;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandbox;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
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
 * Reader groups beyond the fixture's one: causal reads GLOBAL across sessions, users and schemas sent to groups of
 * their own, weighted balance, and a replica that dies. One set of servers for the class; each test starts what
 * Sluice it needs in front of them. The last test kills r2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingGroupsTest {
    private static final String R1_ONLY = "r1only";
    private static final String R2_ONLY = "r2only";
    private static final String WEIGHTED = "weighted";
    private static final String OTHER_SCHEMA = "other";
    /** Reads of this user go to r1, or to r2 in schema {@link #OTHER_SCHEMA}. */
    private static final UserConfig GROUPED =
            new UserConfig("grouped", "grouped-pw", null, null, null, R1_ONLY, Map.of(OTHER_SCHEMA, R2_ONLY));
    /** Reads of this user go to r1 (weight 1) or r2 (weight 3) at random by weight. */
    private static final UserConfig BALANCED =
            new UserConfig("balanced", "balanced-pw", null, null, null, WEIGHTED, Map.of());

    private static RoutingFixture fixture;
    /** A Sluice with the groups above and causal reads LOCAL (the default). */
    private static int groupsPort;

    @BeforeAll
    static void start() throws SQLException {
        fixture = new RoutingFixture(
                "groups",
                List.of(GROUPED, BALANCED),
                RoutingConfig.defaults(),
                "CREATE TABLE routing.causal (k bigint NOT NULL PRIMARY KEY, v int NOT NULL)",
                "CREATE DATABASE " + OTHER_SCHEMA);
        groupsPort = startProxy(RoutingConfig.defaults());
    }

    @AfterAll
    static void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * A Sluice with reader groups replicas (the app's), r1only, r2only and weighted, r2 weighing 3; its port once its
     * monitor sent a read of the app to a replica.
     */
    private static int startProxy(RoutingConfig routing) throws SQLException {
        List<ServerGroup> readers = List.of(
                ServerGroup.reader(READER_GROUP, List.of(REPLICA_1, REPLICA_2)),
                ServerGroup.reader(R1_ONLY, List.of(REPLICA_1)),
                ServerGroup.reader(R2_ONLY, List.of(REPLICA_2)),
                new ServerGroup(
                        WEIGHTED,
                        GroupRole.READER,
                        List.of(REPLICA_1, REPLICA_2),
                        ServerGroup.DEFAULT_MAX_REPLICATION_LAG,
                        Balance.WEIGHTED));
        int port =
                fixture.startProxy(fixture.config(routing, readers, List.of(GROUPED, BALANCED), Map.of(REPLICA_2, 3)));
        try (Connection c = RoutingFixture.connect(port, "")) {
            System.out.println(
                    "monitor ready: " + RoutingFixture.readUntil(c, n -> !n.equals(PRIMARY), 1, Duration.ofSeconds(5)));
        }
        return port;
    }

    /** Which server answered {@code reads} reads of {@link RoutingFixture#WHO} on {@code c}, by name. */
    private static Map<String, Integer> whoAnswers(Connection c, int reads) throws SQLException {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < reads; i++) {
            answers.merge(RoutingFixture.who(c), 1, Integer::sum);
        }
        return answers;
    }

    /**
     * Causal reads GLOBAL: a read waits for the newest write made through this Sluice by any session, so another
     * session sees a row as soon as its insert returned, 2,000 times, with replicas answering some of the reads.
     * Fails when a read on a replica misses the row (the wait was not made for another session's GTID), or when every
     * read went to the primary (then nothing was shown about replicas).
     */
    @Test
    @Order(1)
    void globalCausalReadsShowAnotherSessionsWriteAtOnce() throws SQLException {
        int port = startProxy(RoutingConfig.defaults().withCausalReads(CausalReads.GLOBAL));
        CausalReadsTest.Run run;
        try (Connection a = RoutingFixture.connect(port, "");
                Connection b = RoutingFixture.connect(port, "")) {
            run = CausalReadsTest.writeThenRead(a, b, 0, 2_000);
        }
        System.out.println("causal reads GLOBAL, two sessions: " + run);
        assertThat(run.missed())
                .as("reads that missed the other session's row: %s", run)
                .isZero();
        assertThat(run.byReplicas()).as("reads answered by a replica: %s", run).isPositive();
    }

    /**
     * The control for the test above: the same two sessions through the LOCAL Sluice, with the replicas a second
     * behind (MASTER_DELAY = 1), miss rows on replicas: a session waits only for its own writes, so the check above
     * is able to fail.
     */
    @Test
    @Order(2)
    void withLocalCausalReadsAnotherSessionsWriteMayBeMissed() throws SQLException {
        List<MariaDbSandbox> replicas = List.of(fixture.server(REPLICA_1), fixture.server(REPLICA_2));
        CausalReadsTest.Run run;
        replicas.forEach(r -> CausalReadsTest.setDelay(r, 1));
        try (Connection a = RoutingFixture.connect(groupsPort, "");
                Connection b = RoutingFixture.connect(groupsPort, "")) {
            run = CausalReadsTest.writeThenRead(a, b, 1_000_000, 200);
        } finally {
            replicas.forEach(r -> CausalReadsTest.setDelay(r, 0));
            fixture.awaitReplicasServing(SYNC);
        }
        System.out.println("causal reads LOCAL, two sessions, replicas 1 s behind: " + run);
        assertThat(run.missedOnReplicas())
                .as("reads on a replica that missed the other session's row: %s", run)
                .isPositive();
    }

    /**
     * A user's default-group and schema-groups: user grouped reads from r1 in schema routing (its default group
     * r1only) and from r2 in schema other (r2only), every time, while the app's reads in the same Sluice spread over
     * both. Fails when a read of grouped lands anywhere else (the user's group ignored: its reads would follow the
     * app's group and alternate; a fallback to p would show too).
     */
    @Test
    @Order(3)
    void usersAndSchemasReadFromTheirOwnGroups() throws SQLException {
        Map<String, Integer> inRouting;
        Map<String, Integer> inOther;
        Map<String, Integer> app;
        try (Connection c = RoutingFixture.connect(groupsPort, GROUPED.name(), GROUPED.password(), "routing", "")) {
            inRouting = whoAnswers(c, 50);
        }
        try (Connection c = RoutingFixture.connect(groupsPort, GROUPED.name(), GROUPED.password(), OTHER_SCHEMA, "")) {
            inOther = whoAnswers(c, 50);
        }
        try (Connection c = RoutingFixture.connect(groupsPort, USER, PASSWORD, "routing", "")) {
            app = whoAnswers(c, 50);
        }
        System.out.println("grouped in routing: " + inRouting + "; in other: " + inOther + "; app: " + app);

        assertThat(inRouting).as("grouped, schema routing (r1only)").isEqualTo(Map.of(REPLICA_1, 50));
        assertThat(inOther).as("grouped, schema other (r2only)").isEqualTo(Map.of(REPLICA_2, 50));
        assertThat(app).as("app (replicas)").containsOnlyKeys(REPLICA_1, REPLICA_2);
    }

    /**
     * The schema that picks the group is the session's default database now, not the one it connected with: after
     * a change of database (COM_INIT_DB from setCatalog) grouped's reads follow the new schema's group.
     */
    @Test
    @Order(4)
    void aChangeOfDatabaseChangesTheGroup() throws SQLException {
        Map<String, Integer> before;
        Map<String, Integer> after;
        try (Connection c = RoutingFixture.connect(groupsPort, GROUPED.name(), GROUPED.password(), "routing", "")) {
            before = whoAnswers(c, 20);
            c.setCatalog(OTHER_SCHEMA);
            assertThat(RoutingFixture.scalar(c, "SELECT DATABASE()")).isEqualTo(OTHER_SCHEMA);
            after = whoAnswers(c, 20);
        }
        System.out.println("grouped before USE other: " + before + "; after: " + after);

        assertThat(before).as("in routing").isEqualTo(Map.of(REPLICA_1, 20));
        assertThat(after).as("after changing to other").isEqualTo(Map.of(REPLICA_2, 20));
    }

    /**
     * Weighted balance: of 400 sequential reads of user balanced, r2 (weight 3) answers between 60% and 90%
     * (expected 75%; least-connections would alternate, 50%), and r1 answers some. Fails when the weights are not
     * followed, or when the group's balance is ignored.
     */
    @Test
    @Order(5)
    void weightedBalanceFollowsTheWeights() throws SQLException {
        Map<String, Integer> answers;
        try (Connection c = RoutingFixture.connect(groupsPort, BALANCED.name(), BALANCED.password(), "routing", "")) {
            answers = whoAnswers(c, 400);
        }
        System.out.println("weighted r1=1, r2=3, 400 reads: " + answers);

        assertThat(answers).containsOnlyKeys(REPLICA_1, REPLICA_2);
        assertThat(answers.get(REPLICA_2) / 400.0)
                .as("share of r2 in %s", answers)
                .isBetween(0.60, 0.90);
    }

    /**
     * A replica killed (SIGKILL) between two reads: 500 reads of the app through Sluice, 100 before the kill and 400
     * after, all succeed, and after the kill only r1 and p answer. Reads that Sluice routes to r2 before its monitor
     * notices (its pooled connections break, new ones are refused) must go elsewhere without an error to the
     * client. Fails with the SQLException a client got, or with r2 among the answers after the kill.
     * Kills r2 for good: the last test of the class.
     */
    @Test
    @Order(100)
    void aKilledReplicaFailsNoRead() throws SQLException {
        Map<String, Integer> before;
        Map<String, Integer> after = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long start;
        try (Connection c = RoutingFixture.connect(groupsPort, "")) {
            before = whoAnswers(c, 100);
            assertThat(before).as("reads before the kill").containsKey(REPLICA_2);
            fixture.server(REPLICA_2).kill();
            start = System.nanoTime();
            for (int i = 0; i < 400; i++) {
                try {
                    after.merge(RoutingFixture.who(c), 1, Integer::sum);
                } catch (SQLException e) {
                    failures.add("read " + i + " after the kill, " + (System.nanoTime() - start) / 1_000_000 + " ms: "
                            + e.getErrorCode() + " " + e.getMessage());
                    if (c.isClosed() || !c.isValid(2)) {
                        failures.add("the connection is gone");
                        break;
                    }
                }
            }
        }
        System.out.println("replica r2 killed: before " + before + "; after " + after + " in "
                + (System.nanoTime() - start) / 1_000_000 + " ms; failures " + failures);

        assertThat(failures).as("reads that failed").isEmpty();
        assertThat(after).as("answers after the kill").doesNotContainKey(REPLICA_2);
        assertThat(after.keySet()).as("answers after the kill").isSubsetOf(REPLICA_1, PRIMARY);
        assertThat(after.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(400);
    }
}
