package dev.sluice.backend.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a snapshot derives: the writer, a writer conflict, the readers within a lag limit, GTID distance. */
class TopologyTest {
    static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    static ServerState writer(String name, String binlogPos) {
        GtidPosition pos = GtidPosition.parse(binlogPos);
        return new ServerState(server(name), true, "", false, null, pos, GtidPosition.EMPTY, pos, AT);
    }

    static ServerState replica(String name, boolean io, boolean sql, Long lag, String currentPos) {
        ReplicationStatus status = new ReplicationStatus(io, sql, lag, "127.0.0.1", 3306, "", "");
        GtidPosition pos = GtidPosition.parse(currentPos);
        return new ServerState(server(name), true, "", true, status, pos, pos, pos, AT);
    }

    static ServerState down(String name) {
        return ServerState.unreachable(server(name), "no answer within 500 ms", AT);
    }

    static MonitoredServer server(String name) {
        return new MonitoredServer(name, "127.0.0.1", 3306);
    }

    private static List<String> names(List<ServerState> states) {
        return states.stream().map(ServerState::name).toList();
    }

    @Test
    void oneWritableServerIsTheWriterAndCaughtUpReplicasAreReaders() {
        Topology topology = new Topology(
                List.of(
                        writer("p", "0-1-10"),
                        replica("r0", true, true, 0L, "0-1-10"),
                        replica("r1", true, true, 3L, "0-1-8")),
                AT);

        assertThat(topology.writer()).map(ServerState::name).contains("p");
        assertThat(topology.writerConflict()).isFalse();
        assertThat(names(topology.readers(Duration.ZERO))).containsExactly("r0");
        assertThat(names(topology.readers(Duration.ofSeconds(3)))).containsExactly("r0", "r1");
        assertThat(topology.transactionsBehindWriter("r1")).hasValue(2);
        assertThat(topology.transactionsBehindWriter("p")).hasValue(0);
    }

    @Test
    void aStoppedThreadOrAnUnknownLagIsNotEligibleForReads() {
        Topology topology = new Topology(
                List.of(
                        writer("p", "0-1-10"),
                        replica("sqlStopped", true, false, null, "0-1-4"),
                        replica("ioStopped", false, true, 0L, "0-1-10"),
                        replica("unknownLag", true, true, null, "0-1-10")),
                AT);

        assertThat(topology.readers(Duration.ofDays(1))).isEmpty();
        assertThat(topology.transactionsBehindWriter("sqlStopped")).hasValue(6);
        assertThat(ServerCondition.of(topology.servers().get(1), 10)).isEqualTo(ServerCondition.REPLICATION_STOPPED);
        assertThat(ServerCondition.of(topology.servers().get(2), 10)).isEqualTo(ServerCondition.REPLICATION_STOPPED);
        assertThat(ServerCondition.of(topology.servers().get(3), 10)).isEqualTo(ServerCondition.LAGGING);
    }

    @Test
    void twoWritableServersAreAConflictAndNeitherIsTheWriter() {
        Topology topology = new Topology(List.of(writer("p", "0-1-10"), writer("r0", "0-1-10"), down("r1")), AT);

        assertThat(names(topology.writers())).containsExactly("p", "r0");
        assertThat(topology.writerConflict()).isTrue();
        assertThat(topology.writer()).isEmpty();
        assertThat(topology.transactionsBehindWriter("p")).isEmpty();
    }

    @Test
    void anUnreachableServerIsNeitherWriterNorReaderWhateverItWasBefore() {
        Topology topology = new Topology(List.of(down("p"), replica("r0", true, true, 0L, "0-1-10")), AT);

        assertThat(topology.writer()).isEmpty();
        assertThat(topology.writerConflict()).isFalse();
        assertThat(names(topology.readers(Duration.ZERO))).containsExactly("r0");
        assertThat(ServerCondition.of(topology.servers().get(0), 0)).isEqualTo(ServerCondition.UNREACHABLE);
        assertThat(topology.transactionsBehindWriter("r0")).isEmpty();
        assertThat(topology.server("p").orElseThrow().failure()).isEqualTo("no answer within 500 ms");
    }

    @Test
    void aReadOnlyServerReplicatingFromNobodyIsNeither() {
        ServerState demoted = new ServerState(server("old"), true, "", true, null, null, null, null, AT);
        Topology topology = new Topology(List.of(demoted), AT);

        assertThat(topology.writers()).isEmpty();
        assertThat(topology.readers(Duration.ofDays(1))).isEmpty();
        assertThat(ServerCondition.of(demoted, 0)).isEqualTo(ServerCondition.READ_ONLY);
    }
}
