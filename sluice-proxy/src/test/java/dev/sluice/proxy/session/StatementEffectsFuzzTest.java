package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Texts glued from SQL fragments at random (keywords of every effect, quotes, comments, executable comments,
 * backslashes, {@code ;}, cut anywhere): the classifier never throws, and the fast path lets through only texts in
 * which the token path finds nothing. The seed is in the test's name.
 */
class StatementEffectsFuzzTest {
    static final String[] FRAGMENTS = {
        "SELECT",
        "SET",
        "@",
        "@@",
        "a",
        "b.c",
        ":=",
        "=",
        "(",
        ")",
        ",",
        ";",
        "'x'",
        "'",
        "\"y\"",
        "`q`",
        "`",
        "/*",
        "*/",
        "/*!",
        "/*M!100100",
        "--",
        "-- ",
        "\n",
        "#",
        "\\",
        "GET_LOCK",
        "RELEASE_LOCK",
        "RELEASE_ALL_LOCKS",
        "LAST_INSERT_ID",
        "FOUND_ROWS",
        "ROW_COUNT",
        "NEXTVAL",
        "LASTVAL",
        "INTO",
        "CREATE",
        "OR",
        "REPLACE",
        "TEMPORARY",
        "TABLE",
        "SEQUENCE",
        "DROP",
        "RENAME",
        "TO",
        "ALTER",
        "IF",
        "NOT",
        "EXISTS",
        "PREPARE",
        "FROM",
        "EXECUTE",
        "IMMEDIATE",
        "DEALLOCATE",
        "HANDLER",
        "OPEN",
        "AS",
        "CLOSE",
        "XA",
        "START",
        "WORK",
        "COMMIT",
        "LOCK",
        "TABLES",
        "UNLOCK",
        "FLUSH",
        "WITH",
        "READ",
        "BACKUP",
        "STAGE",
        "END",
        "NEXT",
        "PREVIOUS",
        "VALUE",
        "FOR",
        "SQL_CALC_FOUND_ROWS",
        "BEGIN",
        "ATOMIC",
        "CALL",
        "LOAD",
        "USE",
        "SHOW",
        "WARNINGS",
        "GET",
        "DIAGNOSTICS",
        "TRANSACTION",
        "SESSION",
        "STATEMENT",
        "identity",
        "1",
        "?",
        ".",
        ":",
        "*",
        "é"
    };
    private static final String[] GLUE = {" ", " ", " ", "", "\n", "\t"};

    /** Up to {@code maxParts} fragments picked at random, each followed by a blank (or none), appended to {@code sql}. */
    static StringBuilder glued(Random random, String[] fragments, int maxParts, StringBuilder sql) {
        int parts = 1 + random.nextInt(maxParts);
        for (int i = 0; i < parts; i++) {
            sql.append(fragments[random.nextInt(fragments.length)]).append(GLUE[random.nextInt(GLUE.length)]);
        }
        return sql;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 20261207})
    void neverThrowsAndTheFastPathHidesNothing(long seed) {
        Random random = new Random(seed);
        for (int round = 0; round < 4000; round++) {
            StringBuilder sql = glued(random, FRAGMENTS, 24, new StringBuilder());
            ByteBuf text = Unpooled.copiedBuffer(sql, StandardCharsets.UTF_8);
            int to = random.nextInt(4) == 0 ? random.nextInt(text.writerIndex() + 1) : text.writerIndex();
            boolean noBackslashEscapes = random.nextBoolean();
            StatementEffects parsed = EffectsParser.parse(text, 0, to, noBackslashEscapes);
            StatementEffects classified = StatementEffects.ofQuery(text, 0, to, noBackslashEscapes);
            if (EffectsFastPath.plain(text, 0, to)) {
                assertThat(parsed.toString())
                        .as("seed %d round %d, to %d: %s", seed, round, to, sql)
                        .isEqualTo("none");
            }
            assertThat(classified.toString()).isEqualTo(parsed.toString());
            SessionPins pins = new SessionPins(1, new PinCounters());
            pins.applied(classified, random.nextBoolean(), random.nextBoolean() ? "db" : null);
            pins.applied(classified, true, "db");
            pins.transactionEnded();
            pins.describe();
            pins.close();
        }
    }
}
