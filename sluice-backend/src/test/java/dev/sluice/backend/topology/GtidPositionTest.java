package dev.sluice.backend.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server's GTID position notation, read and compared per domain. */
class GtidPositionTest {

    @Test
    void readsOneGtidPerDomainInDomainOrder() {
        GtidPosition position = GtidPosition.parse("1-2-5,0-1-10");

        assertThat(position.seqNo(0)).isEqualTo(10);
        assertThat(position.seqNo(1)).isEqualTo(5);
        assertThat(position.seqNo(7)).isZero();
        assertThat(position.lastByDomain().get(1L)).isEqualTo(new GtidPosition.Gtid(1, 2, 5));
        assertThat(position).hasToString("0-1-10,1-2-5");
    }

    @Test
    void blanksAroundEntriesAndNewlinesAreIgnored() {
        assertThat(GtidPosition.parse(" 0-1-10,\n1-2-5 ")).isEqualTo(GtidPosition.parse("0-1-10,1-2-5"));
    }

    @Test
    void nothingLoggedIsTheEmptyPosition() {
        assertThat(GtidPosition.parse("")).isEqualTo(GtidPosition.EMPTY);
        assertThat(GtidPosition.parse(null).isEmpty()).isTrue();
        assertThat(GtidPosition.parse("NULL").isEmpty()).isTrue();
        assertThat(GtidPosition.EMPTY).hasToString("");
    }

    @Test
    void sequenceNumbersUpToTheUnsignedMaximumAreRead() {
        assertThat(GtidPosition.parse("0-4294967295-18446744073709551615").seqNo(0))
                .isEqualTo(Long.parseUnsignedLong("18446744073709551615"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-1", "0-1-", "-1-2", "0--2", "a-1-2", "0-1-2-3", "0-1-2,", "0-1-2,0-1-3"})
    void anythingElseIsRefusedWithTheText(String text) {
        assertThatThrownBy(() -> GtidPosition.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GTID position");
    }

    @Test
    void behindCountsTheMissingTransactionsOfEachDomainOfTheTarget() {
        GtidPosition writer = GtidPosition.parse("0-1-10,1-2-5");

        assertThat(GtidPosition.parse("0-1-10,1-2-5").transactionsBehind(writer))
                .isZero();
        assertThat(GtidPosition.parse("0-1-7,1-2-5").transactionsBehind(writer)).isEqualTo(3);
        // a domain it has nothing of: all of the target's
        assertThat(GtidPosition.parse("0-1-10").transactionsBehind(writer)).isEqualTo(5);
        assertThat(GtidPosition.EMPTY.transactionsBehind(writer)).isEqualTo(15);
        // ahead in one domain does not make up for another; domains the target lacks do not count
        assertThat(GtidPosition.parse("0-1-12,1-2-4,2-3-9").transactionsBehind(writer))
                .isEqualTo(1);
    }

    @Test
    void reachedIsPerDomainWhicheverServerWroteTheLastTransaction() {
        GtidPosition target = GtidPosition.parse("0-1-10");

        assertThat(GtidPosition.parse("0-2-10").reached(target)).isTrue(); // promoted server wrote seq 10
        assertThat(GtidPosition.parse("0-1-11").reached(target)).isTrue();
        assertThat(GtidPosition.parse("0-1-9").reached(target)).isFalse();
        assertThat(GtidPosition.parse("1-1-99").reached(target)).isFalse();
        assertThat(target.reached(GtidPosition.EMPTY)).isTrue();
    }
}
