package dev.sluice.protocol.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.ColumnType;
import org.junit.jupiter.api.Test;

class LinkValidatorTest {
    private static final int QUERY = 0x03;

    @Test
    void aWellFormedTextResultPassesUnreported() {
        LinkScript s = new LinkScript(LinkScript.BASE, true);
        assertThat(s.command(QUERY, 'x')).isTrue();
        s.columnCount(2);
        s.column(ColumnType.LONG);
        s.column(ColumnType.VAR_STRING);
        s.eof(2);
        assertThat(s.textRow("1", "a")).isTrue();
        assertThat(s.textRow(null, "")).isTrue();
        assertThat(s.eof(2)).isTrue();
        assertThat(s.command(0x0E)).isTrue(); // COM_PING
        assertThat(s.ok(2)).isTrue();
        assertThat(s.violations).isEmpty();
    }

    /** Seed 004: last_insert_id 1,000,000 as 0xFD and four bytes; status and warnings shift by one byte. */
    @Test
    void aFourByteLengthEncodedIntegerInAnOkIsReportedAtTheByteItPushedIntoTheInfo() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'i');
        assertThat(s.written(0x00, 0x01, 0xFD, 0x40, 0x42, 0x0F, 0x00, 0x02, 0x00, 0x00, 0x00))
                .isTrue();
        Violation v = s.only();
        assertThat(v.rule()).isEqualTo(Rule.FIELD);
        assertThat(v.direction()).isEqualTo(Direction.TO_CLIENT);
        assertThat(v.command()).isEqualTo("COM_QUERY");
        assertThat(v.packet()).isEqualTo(1);
        assertThat(v.offset()).isEqualTo(10);
        assertThat(v.found()).isEqualTo("control byte 0x00");
        assertThat(v.sessionId()).isEqualTo(77);
        assertThat(v.hex()).isEqualTo("0001fd40420f0002000000");
        assertThat(v.logLine()).contains("rule=field", "direction=to_client", "packet=1", "offset=10");
    }

    @Test
    void theSameShiftUnderSessionTrackBreaksTheExactLength() {
        LinkScript s = new LinkScript(LinkScript.BASE | Capability.CLIENT_SESSION_TRACK, false);
        s.command(QUERY, 'i');
        // info as a length-encoded string of 0x40 bytes where 2 remain
        s.written(0x00, 0x01, 0xFD, 0x40, 0x42, 0x0F, 0x00, 0x02, 0x00, 0x00, 0x40, 0x00);
        assertThat(s.only().rule()).isEqualTo(Rule.LENGTH);
        assertThat(s.only().offset()).isEqualTo(10);
    }

    /**
     * Seed 004's very bytes under CLIENT_SESSION_TRACK parse to the end (the byte too many is read as an empty info),
     * but the status they yield, 0x0200, turns autocommit off and backslash escapes on after an INSERT, which can do
     * neither: the session's modes give it away.
     */
    @Test
    void theSameShiftUnderSessionTrackFlipsTheSessionsModes() {
        LinkScript s = new LinkScript(LinkScript.BASE | Capability.CLIENT_SESSION_TRACK, false);
        s.command(query("SELECT 1"));
        s.ok(0x0002);
        s.command(query("INSERT INTO t VALUES (1)"));
        s.written(0x00, 0x01, 0xFD, 0x40, 0x42, 0x0F, 0x00, 0x02, 0x00, 0x00, 0x00);
        Violation v = s.only();
        assertThat(v.rule()).isEqualTo(Rule.STATUS);
        assertThat(v.offset()).isEqualTo(6);
        assertThat(v.expected()).contains("0x0002").contains("COM_QUERY names neither");
        assertThat(v.found()).isEqualTo("status 0x0200");
    }

    /** The modes may change with a statement that names them (any case), or one that runs other code. */
    @Test
    void statementsThatMayChangeTheModesChangeThemUnreported() {
        LinkScript s = new LinkScript(LinkScript.BASE | Capability.CLIENT_SESSION_TRACK, false);
        s.command(query("SELECT 1"));
        s.ok(0x0002);
        s.command(query("set AutoCommit = 0"));
        s.ok(0x0000);
        s.command(query("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'"));
        s.ok(0x0200);
        s.command(query("call reset_modes()"));
        s.ok(0x0002);
        s.command(0x11); // COM_CHANGE_USER: the new user's session starts from its own modes
        s.ok(0x0000);
        s.command(query("SELECT 2"));
        s.ok(0x0200);
        assertThat(s.violations).isEmpty();
        s.command(query("SELECT 3"));
        s.ok(0x0202);
        assertThat(s.only().rule()).isEqualTo(Rule.STATUS);
    }

    private static int[] query(String text) {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int[] command = new int[b.length + 1];
        command[0] = QUERY;
        for (int i = 0; i < b.length; i++) {
            command[i + 1] = b[i];
        }
        return command;
    }

    @Test
    void lengthEncodedIntegersOnlyInLegalForms() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'x');
        s.columnCount(1);
        s.written(0xFB, 0x00); // a column definition whose catalog is NULL
        assertThat(s.only().rule()).isEqualTo(Rule.LENENC);
        assertThat(s.only().offset()).isEqualTo(0);
        assertThat(s.only().packet()).isEqualTo(2);

        LinkScript t = new LinkScript(LinkScript.BASE, false);
        t.command(QUERY, 'x');
        t.columnCount(1);
        t.column(ColumnType.VAR_STRING);
        t.eof(2);
        t.written(0xFF, 0x01, 0x00); // 0xFF as a string's length (the ERR header is only legal at offset 0)
        assertThat(t.violations).hasSize(0); // at offset 0 it is an ERR: legal anywhere
        t.command(QUERY, 'y');
        t.columnCount(2);
        t.column(ColumnType.VAR_STRING);
        t.column(ColumnType.VAR_STRING);
        t.eof(2);
        t.written(0x01, 'a', 0xFF, 0x00);
        assertThat(t.only().rule()).isEqualTo(Rule.LENENC);
        assertThat(t.only().offset()).isEqualTo(2);
        assertThat(t.only().packet()).isEqualTo(5);
    }

    @Test
    void aTextRowWithAColumnTooManyBreaksTheExactLength() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'x');
        s.columnCount(1);
        s.column(ColumnType.LONG);
        s.eof(2);
        s.textRow("1", "2");
        assertThat(s.only().rule()).isEqualTo(Rule.LENGTH);
        assertThat(s.only().offset()).isEqualTo(2);
        assertThat(s.only().expected()).isEqualTo("text row of 1 columns to end at byte 2");
    }

    /** A breach inside a row names the column (built only then: a well-formed row allocates no name). */
    @Test
    void aColumnLongerThanItsRowIsNamed() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'x');
        s.columnCount(2);
        s.column(ColumnType.LONG);
        s.column(ColumnType.VAR_STRING);
        s.eof(2);
        s.written(0x01, '1', 0x05, 'a');
        assertThat(s.only().rule()).isEqualTo(Rule.LENGTH);
        assertThat(s.only().offset()).isEqualTo(2);
        assertThat(s.only().expected()).startsWith("text row column 1 of at most 1 bytes");
    }

    @Test
    void anEofWhereDeprecateEofWantsAnOkIsAStructureBreach() {
        LinkScript s = new LinkScript(LinkScript.BASE | Capability.CLIENT_DEPRECATE_EOF, false);
        s.command(QUERY, 'x');
        s.columnCount(1);
        s.column(ColumnType.LONG);
        s.textRow("1");
        s.eof(2);
        assertThat(s.only().rule()).isEqualTo(Rule.STRUCTURE);
        assertThat(s.only().packet()).isEqualTo(4);
    }

    @Test
    void binaryRowsAreSizedByTheirColumnTypes() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(0x16, 'x'); // COM_STMT_PREPARE
        s.written(0x00, 5, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0);
        s.column(ColumnType.LONG);
        s.column(ColumnType.DATETIME);
        s.eof(2);
        s.command(0x17, 5, 0, 0, 0, 0, 1, 0, 0, 0); // COM_STMT_EXECUTE, no cursor
        s.columnCount(2);
        s.column(ColumnType.LONG);
        s.column(ColumnType.DATETIME);
        s.eof(2);
        assertThat(s.written(0x00, 0x00, 1, 0, 0, 0, 4, 0xE8, 0x07, 1, 2)).isTrue(); // LONG 1, DATE 2024-01-02
        assertThat(s.violations).isEmpty();
        s.written(0x00, 0x00, 1, 0, 0, 0, 5, 0xE8, 0x07, 1, 2, 3); // a 5-byte DATETIME
        assertThat(s.only().rule()).isEqualTo(Rule.FIELD);
        assertThat(s.only().offset()).isEqualTo(6);
        assertThat(s.only().command()).isEqualTo("COM_STMT_EXECUTE");
    }

    @Test
    void fetchWithoutAnOpenCursorIsACommandOutOfState() {
        LinkScript s = new LinkScript(LinkScript.BASE, true);
        s.command(0x16, 'x');
        s.written(0x00, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        s.column(ColumnType.LONG);
        s.eof(2);
        assertThat(s.command(0x1C, 5, 0, 0, 0, 10, 0, 0, 0)).isFalse(); // withheld: enforce
        Violation v = s.only();
        assertThat(v.rule()).isEqualTo(Rule.COMMAND_STATE);
        assertThat(v.direction()).isEqualTo(Direction.FROM_CLIENT);
        assertThat(v.command()).isEqualTo("COM_STMT_FETCH");
        assertThat(v.packet()).isEqualTo(0);
    }

    @Test
    void fetchAfterACursorOpenedPasses() {
        LinkScript s = new LinkScript(LinkScript.BASE, true);
        s.command(0x16, 'x');
        s.written(0x00, 5, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        s.column(ColumnType.LONG);
        s.eof(2);
        s.command(0x17, 5, 0, 0, 0, 1, 1, 0, 0, 0); // CURSOR_TYPE_READ_ONLY
        s.columnCount(1);
        s.column(ColumnType.LONG);
        s.eof(ServerStatus.AUTOCOMMIT | ServerStatus.CURSOR_EXISTS);
        assertThat(s.command(0x1C, 5, 0, 0, 0, 10, 0, 0, 0)).isTrue();
        assertThat(s.written(0x00, 0x00, 7, 0, 0, 0)).isTrue();
        assertThat(s.eof(ServerStatus.AUTOCOMMIT | ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT))
                .isTrue();
        assertThat(s.violations).isEmpty();
    }

    @Test
    void aSequenceGapIsReportedOnceAndNothingAfter() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'x');
        s.columnCount(1);
        s.column(ColumnType.LONG);
        s.eof(2);
        assertThat(s.writtenAs(LinkScript.bytes(0x01, '1'), 9)).isTrue(); // observe: reported, not withheld
        s.writtenAs(LinkScript.bytes(0x01, '1'), 12);
        s.written(0xFB); // and anything else: not checked any more
        Violation v = s.only();
        assertThat(v.rule()).isEqualTo(Rule.SEQUENCE);
        assertThat(v.expected()).isEqualTo("sequence id 4");
        assertThat(v.found()).isEqualTo("sequence id 9");
        assertThat(v.packet()).isEqualTo(4);
    }

    @Test
    void moreResultsOnlyWhereAnotherResultMayFollow() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(0x0E); // COM_PING
        s.ok(ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS);
        assertThat(s.only().rule()).isEqualTo(Rule.STATUS);
        assertThat(s.only().offset()).isEqualTo(3);

        LinkScript q = new LinkScript(LinkScript.BASE, false);
        q.command(QUERY, 'x');
        q.ok(ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS);
        q.ok(ServerStatus.AUTOCOMMIT);
        assertThat(q.violations).isEmpty();
    }

    @Test
    void enforceWithholdsEverythingAfterTheViolationButTheReleasedErr() {
        LinkScript s = new LinkScript(LinkScript.BASE, true);
        s.command(QUERY, 'x');
        assertThat(s.written(0xFE, 0, 0)).isFalse(); // 0xFE where a result starts
        assertThat(s.only().rule()).isEqualTo(Rule.STRUCTURE);
        assertThat(s.written(0x01, '1')).isFalse();
        s.validator.releaseOne();
        assertThat(s.written(0xFF, 0x10, 0x27, '#', 'H', 'Y', '0', '0', '0', 'x'))
                .isTrue();
        assertThat(s.written(0x01, '1')).isFalse();
        assertThat(s.violations).hasSize(1);
    }

    @Test
    void localInfileDataContinuesTheExchange() {
        LinkScript s = new LinkScript(LinkScript.BASE | Capability.CLIENT_LOCAL_FILES, false);
        s.command(QUERY, 'l');
        s.written(0xFB, 'f');
        assertThat(s.read(LinkScript.bytes('a', ',', 'b'))).isTrue();
        assertThat(s.read(LinkScript.bytes())).isTrue();
        s.ok(2);
        s.command(0x0E);
        s.ok(2);
        assertThat(s.violations).isEmpty();
    }

    @Test
    void localInfileOnlyWhenTheClientAcceptsIt() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'l');
        s.written(0xFB, 'f');
        assertThat(s.only().rule()).isEqualTo(Rule.STRUCTURE);
        assertThat(s.only().expected()).contains("CLIENT_LOCAL_FILES");
    }

    @Test
    void aPacketWithNoCommandOutstanding() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(0x0E);
        s.ok(2);
        s.ok(2);
        Violation v = s.only();
        assertThat(v.rule()).isEqualTo(Rule.UNSOLICITED);
        assertThat(v.found()).contains("COM_PING");
    }

    @Test
    void aServerSideBreachIsReportedInTheOutstandingExchange() {
        LinkScript s = new LinkScript(LinkScript.BASE, false);
        s.command(QUERY, 'x');
        s.columnCount(1);
        s.column(ColumnType.LONG);
        s.eof(2);
        s.textRow("1");
        Violation v = s.validator.serverViolation(Rule.SEQUENCE, -1, -1, "sequence id 5", "sequence id 9", null);
        assertThat(v.direction()).isEqualTo(Direction.FROM_SERVER);
        assertThat(v.packet()).isEqualTo(5);
        assertThat(v.command()).isEqualTo("COM_QUERY");
        assertThat(s.validator.serverViolation(Rule.STALLED, -1, -1, "x", "y", null))
                .isNull();
        assertThat(s.violations).hasSize(1);
        assertThat(Wire.LENENC_3).isEqualTo(0xFD);
    }
}
