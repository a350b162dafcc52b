package dev.sluice.proxy.routing;

import static dev.sluice.proxy.routing.Topologies.NO_LIMIT;
import static dev.sluice.proxy.routing.Topologies.P;
import static dev.sluice.proxy.routing.Topologies.R1;
import static dev.sluice.proxy.routing.Topologies.R2;
import static dev.sluice.proxy.routing.Topologies.R3;
import static dev.sluice.proxy.routing.Topologies.REPLICAS;
import static dev.sluice.proxy.routing.Topologies.WEIGHTED;
import static dev.sluice.proxy.routing.Topologies.WITH_WRITER;
import static dev.sluice.proxy.routing.Topologies.readOnly;
import static dev.sluice.proxy.routing.Topologies.replica;
import static dev.sluice.proxy.routing.Topologies.topology;
import static dev.sluice.proxy.routing.Topologies.unreachable;
import static dev.sluice.proxy.routing.Topologies.writable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.backend.topology.Topology;
import dev.sluice.proxy.config.RoutingConfig;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.ServerGroup;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Router's decisions on topologies built by hand: the writer, the readers of a group, the GTID check, counters. */
class RouterTest {
    private final Topologies.Harness harness = new Topologies.Harness(Topologies.config(RoutingConfig.defaults()));
    private final Router router = harness.router;

    @AfterEach
    void close() {
        harness.close();
    }

    /** A usual topology: p writable, r1 and r2 replicating 0 s behind, r3 a replica outside the writer group. */
    private static Topology usual() {
        return topology(writable(P), replica(R1, 0L), replica(R2, 0L), replica(R3, 0L));
    }

    /** Which servers {@code group} got over {@code picks} reads, by name. */
    private Map<String, Integer> picks(ServerGroup group, int picks) {
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < picks; i++) {
            ServerConfig s = router.reader(group);
            seen.merge(s == null ? "none" : s.name(), 1, Integer::sum);
        }
        return seen;
    }

    @Test
    void theWriterIsTheOneWritableServerOfTheWriterGroup() {
        harness.see(usual());

        assertThat(router.monitored()).isTrue();
        assertThat(router.writer().name()).isEqualTo(P);
    }

    @Test
    void noWriterWhileNoServerIsWritable() {
        harness.see(topology(readOnly(P), replica(R1, 0L), unreachable(R2)));

        assertThat(router.writer()).isNull();
    }

    @Test
    void noWriterWhileTwoServersAreWritable() {
        harness.see(topology(writable(P), writable(R1), replica(R2, 0L)));

        assertThat(router.writer()).isNull();
    }

    @Test
    void noWriterWhenTheWritableServerIsOutsideTheWriterGroup() {
        harness.see(topology(readOnly(P), replica(R1, 0L), replica(R2, 0L), writable(R3)));

        assertThat(router.writer()).isNull();
    }

    @Test
    void withoutAMonitorTheWriterIsTheWriterGroupsFirstServerAndThereAreNoReaders() {
        // the public constructor: without a monitor it needs no connector and starts nothing
        try (Router plain = new Router(Topologies.unmonitored(), null, s -> null)) {
            assertThat(plain.monitored()).isFalse();
            assertThat(plain.topology()).isNull();
            assertThat(plain.writer().name()).isEqualTo(R1);
            assertThat(plain.reader(REPLICAS)).isNull();
            assertThat(plain.hasReached(R1, "0-1-1")).isFalse();
        }
    }

    @Test
    void readersAreTheGroupsReplicasWithinTheLagLimit() {
        // r2 is 11 s behind, over the limit of 10 s; r3 is fine but not in the group
        harness.see(topology(writable(P), replica(R1, 10L), replica(R2, 11L), replica(R3, 0L)));

        assertThat(picks(REPLICAS, 20)).isEqualTo(Map.of(R1, 20));
    }

    @Test
    void aReplicaOfUnknownLagOrWithAStoppedThreadTakesNoReads() {
        harness.see(topology(writable(P), replica(R1, 0L), replica(R2, null)));
        assertThat(picks(REPLICAS, 10)).as("NULL Seconds_Behind_Master").isEqualTo(Map.of(R1, 10));
        assertThat(picks(NO_LIMIT, 10)).as("NULL without a limit").isEqualTo(Map.of(R1, 10));

        harness.see(topology(writable(P), replica(R1, 0L), replica(R2, 0L, false, "0-1-100")));
        assertThat(picks(REPLICAS, 10)).as("SQL thread stopped").isEqualTo(Map.of(R1, 10));
    }

    @Test
    void aServerAnOperatorTookOfflineTakesNoReadsUntilOnline() {
        harness.see(topology(writable(P), replica(R1, 0L), replica(R2, 0L)));
        assertThat(router.adminStates().takesLeases(R1)).isTrue();

        router.adminStates().set(R1, AdminStates.State.OFFLINE_SOFT);
        assertThat(picks(REPLICAS, 10)).isEqualTo(Map.of(R2, 10));
        assertThat(router.adminStates().state(R1)).isEqualTo(AdminStates.State.OFFLINE_SOFT);

        router.adminStates().set(R2, AdminStates.State.OFFLINE_HARD);
        assertThat(picks(REPLICAS, 4))
                .as("no reader left: the statement goes to the writer")
                .isEqualTo(Map.of("none", 4));

        router.adminStates().set(R1, AdminStates.State.ONLINE);
        router.adminStates().set(R2, AdminStates.State.ONLINE);
        assertThat(picks(REPLICAS, 10)).isEqualTo(Map.of(R1, 5, R2, 5));
        assertThat(router.adminStates().state(R1)).isEqualTo(AdminStates.State.ONLINE);
    }

    @Test
    void aGroupWithoutALagLimitTakesReplicasHoweverFarBehind() {
        harness.see(topology(writable(P), replica(R1, 0L), replica(R2, 86_400L)));

        assertThat(picks(NO_LIMIT, 10)).isEqualTo(Map.of(R1, 5, R2, 5));
        assertThat(picks(REPLICAS, 10)).isEqualTo(Map.of(R1, 10));
    }

    @Test
    void theWriterTakesReadsOfAGroupThatListsIt() {
        harness.see(topology(writable(P), unreachable(R1), replica(R2, 0L)));
        assertThat(picks(WITH_WRITER, 10)).isEqualTo(Map.of(P, 10));

        // p read-only and no replica: neither the writer nor a reader
        harness.see(topology(readOnly(P), unreachable(R1), writable(R2)));
        assertThat(router.reader(WITH_WRITER)).isNull();
    }

    @Test
    void noEligibleReaderIsNull() {
        harness.see(topology(writable(P), unreachable(R1), replica(R2, 60L)));

        assertThat(router.reader(REPLICAS)).isNull();
        assertThat(router.reader(WEIGHTED)).isNull();
        assertThat(router.reader(
                        Topologies.config(RoutingConfig.defaults()).groups().writer()))
                .as("the writer group has no readers")
                .isNull();
    }

    @Test
    void leastConnectionsPicksTheServerWithFewerLeasesAndRotatesTies() {
        harness.see(usual());

        assertThat(picks(REPLICAS, 10)).as("a tie").isEqualTo(Map.of(R1, 5, R2, 5));

        router.leased(R1);
        assertThat(picks(REPLICAS, 10)).as("r1 leased once").isEqualTo(Map.of(R2, 10));

        router.leased(R2);
        router.leased(R2);
        assertThat(picks(REPLICAS, 10)).as("r1 once, r2 twice").isEqualTo(Map.of(R1, 10));

        router.returned(R2);
        assertThat(picks(REPLICAS, 10)).as("a tie again").isEqualTo(Map.of(R1, 5, R2, 5));

        router.returned(R1);
        router.returned(R2);
        router.leased(R2);
        assertThat(picks(REPLICAS, 10)).as("only r2 leased").isEqualTo(Map.of(R1, 10));
    }

    @Test
    void weightedBalanceFollowsTheWeights() {
        harness.see(usual());
        int n = 10_000;

        Map<String, Integer> seen = picks(WEIGHTED, n);

        // r2 weighs 3, r1 1: r2 should get 3/4; the standard deviation of its share is about 0.004
        assertThat(seen).containsOnlyKeys(R1, R2);
        assertThat(seen.get(R2) / (double) n).as("share of r2 in %s", seen).isCloseTo(0.75, within(0.03));
    }

    @Test
    void weightedBalanceSkipsIneligibleServers() {
        harness.see(topology(writable(P), replica(R1, 0L), replica(R2, 30L)));

        assertThat(picks(WEIGHTED, 100)).isEqualTo(Map.of(R1, 100));
    }

    @Test
    void hasReachedComparesWithTheServersCurrentPosition() {
        harness.see(topology(
                writable(P), replica(R1, 0L, true, "0-1-100,1-2-7"), replica(R2, 0L, true, "0-1-99"), unreachable(R3)));

        assertThat(router.hasReached(R1, "0-1-100")).isTrue();
        assertThat(router.hasReached(R1, "0-1-42")).isTrue();
        assertThat(router.hasReached(R1, "1-2-7")).isTrue();
        assertThat(router.hasReached(R1, "0-1-101")).isFalse();
        assertThat(router.hasReached(R1, "1-2-8")).isFalse();
        assertThat(router.hasReached(R1, "2-1-1"))
                .as("a domain it has nothing of")
                .isFalse();
        assertThat(router.hasReached(R2, "0-1-100")).isFalse();
        assertThat(router.hasReached(R3, "0-1-1")).as("unreachable").isFalse();
        assertThat(router.hasReached("nowhere", "0-1-1")).as("unknown server").isFalse();
        assertThat(router.hasReached(R1, "not a gtid")).isFalse();
    }

    @Test
    void countersCountByGroupServerAndReason() {
        router.count("replicas", R1, RouteReason.SPLIT);
        router.count("replicas", R1, RouteReason.SPLIT);
        router.count("replicas", R1, RouteReason.CAUSAL_WAIT);
        router.count("replicas", R2, RouteReason.SPLIT);
        router.count("primary", P, RouteReason.READ_ONLY_TRANSACTION);

        RoutingCounters counters = router.counters();
        assertThat(counters.count(new RoutingCounters.Key("replicas", R1, RouteReason.SPLIT)))
                .isEqualTo(2);
        assertThat(counters.count(new RoutingCounters.Key("replicas", R1, RouteReason.CAUSAL_WAIT)))
                .isEqualTo(1);
        assertThat(counters.count(new RoutingCounters.Key("replicas", R1, RouteReason.WRITE)))
                .isZero();
        assertThat(counters.count(new RoutingCounters.Key("other", R1, RouteReason.SPLIT)))
                .isZero();
        assertThat(counters.snapshot())
                .containsExactly(
                        Map.entry("primary/p/read-only-transaction", 1L),
                        Map.entry("replicas/r1/causal-wait", 1L),
                        Map.entry("replicas/r1/split", 2L),
                        Map.entry("replicas/r2/split", 1L));
    }
}
