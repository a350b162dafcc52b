package dev.sluice.proxy.session;

import dev.sluice.proxy.session.StatementEffects.Kind;
import dev.sluice.proxy.session.StatementEffects.Name;
import java.util.Locale;

/**
 * The expression level of {@link EffectsParser}, for the tokens of any statement: user variables assigned ({@code @a
 * := v}, {@code INTO @a}, SET items, LOAD DATA column lists, GET DIAGNOSTICS, CALL
 * arguments) and not merely read, {@code @@identity}
 * and {@code @@last_insert_id} read or set, {@code @@warning_count} read, {@code SQL_CALC_FOUND_ROWS}, and calls of
 * GET_LOCK, RELEASE_LOCK, RELEASE_ALL_LOCKS, LAST_INSERT_ID, FOUND_ROWS, ROW_COUNT and the sequence functions (not qualified: {@code
 * db.get_lock()} is a stored function).
 */
final class ExpressionEffects {
    enum Mode {
        PLAIN,
        /** SET items: {@code @a = v} assigns. */
        SET,
        /** CALL arguments: {@code @a} may be an OUT parameter. */
        CALL,
        /** LOAD DATA / LOAD XML column lists, GET DIAGNOSTICS: every {@code @a} is a target. */
        TARGETS
    }

    private final TokenList tk;
    private final EffectsParser out;

    ExpressionEffects(TokenList tk, EffectsParser out) {
        this.tk = tk;
        this.out = out;
    }

    /** Tokens [from, to) of any statement: user variables assigned, SQL_CALC_FOUND_ROWS, functions of interest. */
    void scan(int from, int to, Mode mode) {
        int depth = 0;
        boolean itemStart = mode == Mode.SET;
        boolean into = false;
        for (int i = from; i < to; i++) {
            boolean atItem = itemStart;
            itemStart = false;
            int t = tk.type[i];
            if (t == SqlLexer.COMMA) {
                itemStart = mode == Mode.SET && depth == 0;
                continue; // keeps INTO @a, @b going
            }
            if (tk.isChar(i, '@')) {
                i = variable(i, to, mode, atItem, into);
                continue;
            }
            into = false;
            if (t == SqlLexer.LPAREN) {
                depth++;
            } else if (t == SqlLexer.RPAREN) {
                depth--;
            } else if (t == SqlLexer.WORD || t == SqlLexer.QUOTED_ID) {
                if (tk.is(i, "INTO")) {
                    into = true;
                } else if ((tk.is(i, "NEXT") || tk.is(i, "PREVIOUS")) && tk.is(i + 1, "VALUE") && tk.is(i + 2, "FOR")) {
                    sequence(tk.is(i, "NEXT"), i + 3);
                    i += 2;
                } else if (tk.is(i, "SQL_CALC_FOUND_ROWS")) {
                    out.op(Kind.ADD, PinReason.FOUND_ROWS, null);
                } else if (atItem && (tk.is(i, "SESSION") || tk.is(i, "LOCAL"))) {
                    itemStart = true;
                } else if (atItem && setsInsertId(i) && tk.assignment(i + 1)) {
                    out.op(Kind.ADD, PinReason.INSERT_ID, null);
                } else if (i + 1 < to && tk.type[i + 1] == SqlLexer.LPAREN && !(i > 0 && tk.isChar(i - 1, '.'))) {
                    function(i);
                }
            }
        }
    }

    /**
     * The {@code @} at i: a user variable (assigned or read), a system variable ({@code @@identity} reads or sets
     * LAST_INSERT_ID), or the {@code @} of {@code user@host}. Returns the last token it consumed.
     */
    private int variable(int i, int to, Mode mode, boolean atItem, boolean into) {
        if (i > 0
                && tk.stop[i - 1] == tk.start[i]
                && (tk.type[i - 1] == SqlLexer.STRING
                        || tk.type[i - 1] == SqlLexer.QUOTED_ID
                        || tk.type[i - 1] == SqlLexer.WORD)
                && !tk.is(i - 1, "INTO")) {
            return i; // 'user'@'host'
        }
        if (i + 1 < to && tk.isChar(i + 1, '@')) {
            int j = i + 2;
            if ((tk.is(j, "SESSION") || tk.is(j, "LOCAL") || tk.is(j, "GLOBAL")) && tk.isChar(j + 1, '.')) {
                j += 2;
            }
            if (atItem && mode == Mode.SET && setsInsertId(j) && tk.assignment(j + 1)) {
                out.op(Kind.ADD, PinReason.INSERT_ID, null);
            } else if (tk.is(j, "LAST_INSERT_ID") || tk.is(j, "IDENTITY")) {
                out.read(StatementEffects.READS_LAST_INSERT_ID);
            } else if (tk.is(j, "WARNING_COUNT") || tk.is(j, "ERROR_COUNT")) {
                out.read(StatementEffects.READS_DIAGNOSTICS);
            }
            return Math.min(j, to - 1);
        }
        int j = i + 1;
        if (j >= to || tk.type[j] == SqlLexer.OTHER || tk.type[j] == SqlLexer.LPAREN || tk.type[j] == SqlLexer.COMMA) {
            return i;
        }
        StringBuilder name = new StringBuilder(tk.text(j));
        while (j + 1 < to
                && tk.start[j + 1] == tk.stop[j]
                && (tk.isChar(j + 1, '.') || tk.type[j + 1] == SqlLexer.WORD || tk.type[j + 1] == SqlLexer.NUMBER)) {
            j++;
            name.append(tk.text(j));
        }
        boolean assigned = mode == Mode.TARGETS
                || mode == Mode.CALL
                || into
                || (tk.isChar(j + 1, ':') && tk.isChar(j + 2, '='))
                || (atItem && mode == Mode.SET && tk.assignment(j + 1));
        if (assigned) {
            out.op(
                    Kind.ADD,
                    PinReason.USER_VARIABLE,
                    new Name(null, name.toString().toLowerCase(Locale.ROOT)));
        }
        return j;
    }

    /** A call of a function that takes, releases or reads connection state: the word at i, {@code (} at i + 1. */
    private void function(int i) {
        if (tk.isFunction(i, "GET_LOCK")) {
            boolean literal = i + 3 < tk.n && tk.type[i + 2] == SqlLexer.STRING && tk.type[i + 3] == SqlLexer.COMMA;
            out.op(Kind.ADD, PinReason.ADVISORY_LOCK, literal ? new Name(null, tk.text(i + 2)) : null);
        } else if (tk.isFunction(i, "RELEASE_LOCK")) {
            if (i + 3 < tk.n && tk.type[i + 2] == SqlLexer.STRING && tk.type[i + 3] == SqlLexer.RPAREN) {
                out.op(Kind.REMOVE, PinReason.ADVISORY_LOCK, new Name(null, tk.text(i + 2)));
            }
        } else if (tk.isFunction(i, "RELEASE_ALL_LOCKS") && tk.closes(i + 2)) {
            out.op(Kind.REMOVE_ALL, PinReason.ADVISORY_LOCK, null);
            out.op(Kind.REMOVE_ALL, PinReason.STORED_ROUTINE, null);
        } else if (tk.isFunction(i, "LAST_INSERT_ID")) {
            if (tk.closes(i + 2)) {
                out.read(StatementEffects.READS_LAST_INSERT_ID);
            } else {
                out.op(Kind.ADD, PinReason.INSERT_ID, null);
            }
        } else if (tk.isFunction(i, "NEXTVAL") || tk.isFunction(i, "SETVAL")) {
            sequence(true, i + 2);
        } else if (tk.isFunction(i, "LASTVAL")) {
            sequence(false, i + 2);
        } else if (tk.isFunction(i, "FOUND_ROWS") && tk.closes(i + 2)) {
            out.read(StatementEffects.READS_FOUND_ROWS);
        } else if (tk.isFunction(i, "ROW_COUNT") && tk.closes(i + 2)) {
            out.read(StatementEffects.READS_ROW_COUNT);
        }
    }

    /**
     * NEXTVAL(s), NEXT VALUE FOR s, SETVAL(s, v): the connection keeps the value for LASTVAL(s) / PREVIOUS VALUE FOR s
     * until it ends; those read it.
     */
    private void sequence(boolean generates, int name) {
        if (generates) {
            out.op(Kind.ADD, PinReason.SEQUENCE_VALUE, tk.name(name));
        } else {
            out.read(StatementEffects.READS_SEQUENCE_VALUE);
        }
    }

    /** SET LAST_INSERT_ID = v (also IDENTITY) sets what LAST_INSERT_ID() answers; SET INSERT_ID = v the next id. */
    private boolean setsInsertId(int i) {
        return tk.is(i, "LAST_INSERT_ID") || tk.is(i, "IDENTITY") || tk.is(i, "INSERT_ID");
    }
}
