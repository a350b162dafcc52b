package dev.sluice.proxy.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTest {
    private static List<Long> draw(Plan plan) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            out.add(plan.nextPiece());
            out.add(plan.nextWriteDelay());
        }
        return out;
    }

    @Test
    void theSameSeedAndOrdinalGiveTheSamePiecesAndDelaysAndAnotherConnectionOthers() {
        List<Fault> faults = List.of(Fault.parse("split-random:64"), Fault.parse("delay:20"));

        List<Long> first = draw(new Plan(42, 3, faults));

        assertThat(draw(new Plan(42, 3, faults))).isEqualTo(first);
        assertThat(draw(new Plan(42, 4, faults))).isNotEqualTo(first);
        assertThat(draw(new Plan(43, 3, faults))).isNotEqualTo(first);
        assertThat(first).allMatch(v -> v >= 0 && v <= 64);
    }

    @Test
    void readsDoNotMoveTheWritesChoices() {
        List<Fault> faults = List.of(Fault.parse("split-random:64"), Fault.parse("delay:20"));
        Plan reading = new Plan(7, 0, faults);
        for (int i = 0; i < 13; i++) {
            reading.nextReadDelay();
        }

        assertThat(draw(reading)).isEqualTo(draw(new Plan(7, 0, faults)));
    }

    @Test
    void withoutFaultsThatCutOrDelayWritesGoWholeAndAtOnce() {
        Plan plan = new Plan(1, 0, List.of(Fault.parse("seq-id:3")));

        assertThat(plan.nextPiece()).isEqualTo(Plan.WHOLE);
        assertThat(plan.nextWriteDelay()).isZero();
        assertThat(plan.delays()).isFalse();
        assertThat(new Plan(1, 0, List.of(Fault.parse("split-bytes"))).nextPiece())
                .isEqualTo(1);
    }
}
