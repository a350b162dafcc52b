package dev.sluice.backend.topology;

import static dev.sluice.backend.topology.TopologyTest.AT;
import static dev.sluice.backend.topology.TopologyTest.down;
import static dev.sluice.backend.topology.TopologyTest.replica;
import static dev.sluice.backend.topology.TopologyTest.writer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A change is counted once, when it happens, however many polls repeat it. */
class TopologyChangesTest {
    private final TopologyChanges changes = new TopologyChanges(5);
    private final List<ServerState> servers =
            new ArrayList<>(List.of(writer("p", "0-1-10"), replica("r", true, true, 0L, "0-1-10")));

    private void poll(int index, ServerState state) {
        servers.set(index, state);
        changes.observe(new Topology(servers, AT), state);
    }

    @Test
    void eachKindIsCountedOncePerChange() {
        for (int i = 0; i < 3; i++) { // first polls: a writer and a reader
            poll(0, writer("p", "0-1-10"));
            poll(1, replica("r", true, true, 0L, "0-1-10"));
        }
        for (int i = 0; i < 3; i++) {
            poll(1, replica("r", true, true, 9L, "0-1-10"));
        }
        poll(1, replica("r", true, true, 1L, "0-1-10"));
        for (int i = 0; i < 3; i++) {
            poll(1, replica("r", true, false, null, "0-1-8"));
        }
        poll(1, replica("r", true, true, 0L, "0-1-10"));
        for (int i = 0; i < 3; i++) {
            poll(0, down("p"));
        }
        poll(0, writer("p", "0-1-10"));

        assertThat(changes.count(TopologyChange.BECAME_WRITER)).isEqualTo(2);
        assertThat(changes.count(TopologyChange.BECAME_READER)).isEqualTo(2); // first poll, after the stop
        assertThat(changes.count(TopologyChange.LAGGING)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.CAUGHT_UP)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.REPLICATION_STOPPED)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.DOWN)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.UP)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.WRITER_CONFLICT)).isZero();
    }

    @Test
    void aWriterConflictIsCountedWhenItStartsAndWhenItEnds() {
        poll(0, writer("p", "0-1-10"));
        for (int i = 0; i < 3; i++) {
            poll(1, writer("r", "0-1-10"));
        }
        poll(1, replica("r", true, true, 0L, "0-1-10"));

        assertThat(changes.count(TopologyChange.WRITER_CONFLICT)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.WRITER_CONFLICT_RESOLVED)).isEqualTo(1);
        assertThat(changes.count(TopologyChange.BECAME_WRITER)).isEqualTo(2);
    }
}
