package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionPinsTest {
    private final PinCounters counters = new PinCounters();
    private final SessionPins pins = new SessionPins(7, counters);

    private void ok(String sql) {
        pins.applied(StatementEffectsTest.effects(sql), true, "db");
    }

    private void failed(String sql) {
        pins.applied(StatementEffectsTest.effects(sql), false, "db");
    }

    @Test
    void aTemporaryTableHoldsUntilDroppedUnderAnySpelling() {
        ok("CREATE TEMPORARY TABLE t (a INT)");
        ok("CREATE TEMPORARY TABLE other.u (a INT)");
        assertThat(pins.objects(PinReason.TEMPORARY_TABLE)).containsOnlyKeys("db.t", "other.u");
        assertThat(pins.pins()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(PinReason.TEMPORARY_TABLE);
            assertThat(p.cause()).isEqualTo("CREATE TEMPORARY TABLE t (a INT)");
        });
        ok("DROP TABLE db.t");
        assertThat(pins.isPinned()).isTrue();
        ok("USE other; DROP TEMPORARY TABLE IF EXISTS u");
        assertThat(pins.isPinned()).isFalse();
        assertThat(counters.started(PinReason.TEMPORARY_TABLE)).isEqualTo(1);
        assertThat(counters.current(PinReason.TEMPORARY_TABLE)).isZero();
    }

    @Test
    void anUnqualifiedDropInAnotherDatabaseDropsNothingOfOurs() {
        ok("CREATE TEMPORARY TABLE t (a INT)");
        pins.applied(StatementEffectsTest.effects("DROP TABLE t"), true, "elsewhere");
        assertThat(pins.objects(PinReason.TEMPORARY_TABLE)).containsOnlyKeys("db.t");
    }

    @Test
    void aRenamedTemporaryTableIsDroppedUnderItsNewName() {
        ok("CREATE TEMPORARY TABLE t (a INT)");
        ok("RENAME TABLE plain TO other, t TO t2");
        assertThat(pins.objects(PinReason.TEMPORARY_TABLE)).containsOnlyKeys("db.t2");
        ok("DROP TABLE t2");
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void aFailedStatementCreatesNothingAndRemovesNothing() {
        failed("CREATE TEMPORARY TABLE t (a INT)");
        assertThat(pins.isPinned()).isFalse();
        ok("CREATE TEMPORARY TABLE t (a INT)");
        failed("DROP TEMPORARY TABLE t, missing");
        assertThat(pins.holds(PinReason.TEMPORARY_TABLE)).isTrue();
    }

    @Test
    void aFailedStatementKeepsWhatItsExpressionsMayHaveDone() {
        failed("SELECT GET_LOCK('a', 0), @v := 1, no_such_column FROM t");
        assertThat(pins.reasons()).containsOnly(PinReason.ADVISORY_LOCK, PinReason.USER_VARIABLE);
    }

    @Test
    void aFailedMultiStatementTextKeepsEveryAddition() {
        failed("CREATE TEMPORARY TABLE t (a INT); DROP TABLE t; SELECT nothing");
        assertThat(pins.objects(PinReason.TEMPORARY_TABLE)).containsOnlyKeys("db.t");
    }

    @Test
    void advisoryLocksAreCountedAndReleasedByName() {
        ok("SELECT GET_LOCK('a', 1), GET_LOCK('a', 1), GET_LOCK('b', 1)");
        assertThat(pins.objects(PinReason.ADVISORY_LOCK)).isEqualTo(Map.of("a", 2, "b", 1));
        ok("SELECT RELEASE_LOCK('a'), RELEASE_LOCK('b')");
        assertThat(pins.objects(PinReason.ADVISORY_LOCK)).isEqualTo(Map.of("a", 1));
        ok("DO RELEASE_LOCK('a')");
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void aLockOfUnknownNameHoldsUntilAllLocksAreReleased() {
        ok("SELECT GET_LOCK(CONCAT('job-', 5), 1)");
        ok("SELECT RELEASE_LOCK('job-5')");
        assertThat(pins.holds(PinReason.ADVISORY_LOCK)).isTrue();
        ok("CALL p()");
        ok("SELECT RELEASE_ALL_LOCKS()");
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void foundRowsHoldsUntilTheNextStatementRan() {
        ok("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1");
        assertThat(pins.reasons()).containsOnly(PinReason.FOUND_ROWS);
        ok("SELECT FOUND_ROWS()");
        assertThat(pins.isPinned()).isFalse();
        ok("SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1; SELECT FOUND_ROWS()");
        assertThat(pins.isPinned()).isFalse();
        ok("SELECT 1; SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 1");
        assertThat(pins.isPinned()).isTrue();
        pins.applied(StatementEffects.NONE, true, "db");
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void transactionCharacteristicsHoldUntilTheNextTransactionEnded() {
        ok("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE");
        pins.transactionEnded(); // the SET itself ran in autocommit: not the transaction it applies to
        assertThat(pins.holds(PinReason.TRANSACTION_CHARACTERISTICS)).isTrue();
        ok("BEGIN");
        ok("COMMIT");
        pins.transactionEnded();
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void sqlPreparedStatementsHoldUntilDeallocatedAndApplyTheirEffectsAtExecute() {
        ok("PREPARE mk FROM 'CREATE TEMPORARY TABLE x (a INT)'");
        assertThat(pins.reasons()).containsOnly(PinReason.SQL_PREPARED_STATEMENT);
        ok("EXECUTE Mk");
        assertThat(pins.objects(PinReason.TEMPORARY_TABLE)).containsOnlyKeys("db.x");
        ok("DEALLOCATE PREPARE MK");
        ok("DROP TABLE x");
        assertThat(pins.isPinned()).isFalse();
        ok("PREPARE dyn FROM @text");
        ok("EXECUTE dyn");
        ok("DROP PREPARE dyn");
        assertThat(pins.reasons()).containsOnly(PinReason.DYNAMIC_SQL);
    }

    @Test
    void handlersXaAndTableLocks() {
        ok("HANDLER t OPEN AS h");
        ok("XA START 'x'");
        ok("LOCK TABLES t READ");
        assertThat(pins.reasons()).containsOnly(PinReason.HANDLER, PinReason.XA, PinReason.TABLE_LOCK);
        ok("HANDLER t CLOSE");
        assertThat(pins.holds(PinReason.HANDLER)).isTrue();
        ok("HANDLER h CLOSE");
        ok("XA END 'x'");
        ok("XA COMMIT 'x' ONE PHASE");
        ok("UNLOCK TABLES");
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void aTransactionsStartEndsLockTablesButNotAGlobalReadLock() {
        ok("LOCK TABLES t WRITE");
        ok("START TRANSACTION");
        assertThat(pins.isPinned()).isFalse();
        ok("FLUSH TABLES WITH READ LOCK");
        ok("LOCK TABLES t READ");
        ok("BEGIN");
        assertThat(pins.objects(PinReason.TABLE_LOCK)).containsOnlyKeys("flush-tables");
        ok("UNLOCK TABLES");
        assertThat(pins.isPinned()).isFalse();
    }

    @Test
    void protocolReasonsClearAndCounters() {
        ok("SET @a = 1");
        pins.pin(PinReason.CURSOR, "stmt 3", "COM_STMT_EXECUTE");
        pins.pin(PinReason.TRANSACTION, null, "BEGIN");
        assertThat(counters.pinnedSessions()).isEqualTo(1);
        assertThat(counters.current(PinReason.CURSOR)).isEqualTo(1);
        pins.unpin(PinReason.CURSOR, "stmt 3");
        pins.unpin(PinReason.TRANSACTION, null);
        assertThat(pins.reasons()).containsOnly(PinReason.USER_VARIABLE);
        pins.clear();
        assertThat(pins.isPinned()).isFalse();
        assertThat(counters.pinnedSessions()).isZero();
        assertThat(counters.started(PinReason.USER_VARIABLE)).isEqualTo(1);
        ok("SET @b = 1");
        pins.close();
        assertThat(counters.current(PinReason.USER_VARIABLE)).isZero();
        assertThat(counters.pinnedSessions()).isZero();
        ok("SET @c = 1");
        assertThat(counters.pinnedSessions()).isZero();
    }
}
