package dev.sluice.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds what Sluice must act on in a COM_QUERY text: each statement of a multi-statement text (split at
 * top-level {@code ;}), its first keyword and where it is, and the calls to {@code CONNECTION_ID()}.
 *
 * <p>Two speeds. {@link #isPlain} answers for most statements with a few byte reads and one pass of
 * {@link ByteBuf#forEachByte} that stops only at {@code (} (and at {@code ;} when the session may send several
 * statements at once): no String, no allocation. Only a text that starts with a comment or with a keyword Sluice
 * acts on, contains a {@code ;}, or has something like {@code CONNECTION_ID(} in it is scanned by
 * {@link #scan} with the {@link SqlLexer}, which knows strings and comments.
 */
final class StatementScanner {
    static final int OTHER = 0;
    static final int KILL = 1;
    static final int LOAD = 2;
    static final int SHOW = 3;
    /** Statements that store code for later (procedures, views, triggers, events, defaults): never rewritten. */
    static final int CREATE = 4;
    /** PREPARE ... FROM and EXECUTE IMMEDIATE: their string literals are statements too. */
    static final int DYNAMIC = 5;

    private static final ByteProcessor PAREN = b -> b != '(';
    private static final ByteProcessor PAREN_OR_SEMICOLON = b -> b != '(' && b != ';';

    private StatementScanner() {}

    /** One statement of the text. */
    record Statement(int keyword, int start, int end, boolean inExecutableComment) {}

    /** A {@code CONNECTION_ID()} call: its bytes [start, end), and whether it is a whole select-list item. */
    record ConnectionIdCall(int start, int end, boolean selectItem) {}

    record Scan(List<Statement> statements, List<ConnectionIdCall> connectionIdCalls) {
        /** The only statement of the text, or null when there are several (or none). */
        Statement single() {
            return statements.size() == 1 ? statements.get(0) : null;
        }
    }

    /**
     * True when the text in [from, to) needs nothing from Sluice: it starts with a keyword other than KILL, LOAD
     * and SHOW, has no {@code ;} (checked only when {@code multiStatements}) and no {@code CONNECTION_ID(}.
     */
    static boolean isPlain(ByteBuf buf, int from, int to, boolean multiStatements) {
        int i = SqlLexer.skipSpaces(buf, from, to);
        if (i >= to) {
            return true;
        }
        byte first = buf.getByte(i);
        if (first == '/' || first == '-' || first == '#' || firstKeyword(buf, i, to) != OTHER || dynamic(buf, i, to)) {
            return false;
        }
        ByteProcessor stop = multiStatements ? PAREN_OR_SEMICOLON : PAREN;
        int at = i;
        while (at < to) {
            int found = buf.forEachByte(at, to - at, stop);
            if (found < 0) {
                return true;
            }
            if (buf.getByte(found) == ';' || connectionIdBefore(buf, i, found)) {
                return false;
            }
            at = found + 1;
        }
        return true;
    }

    /** Whether the bytes before the {@code (} at {@code paren} (spaces allowed) are the word CONNECTION_ID. */
    private static boolean connectionIdBefore(ByteBuf buf, int from, int paren) {
        int e = paren;
        while (e > from && SqlLexer.isSpace(buf.getByte(e - 1))) {
            e--;
        }
        int s = e - 13;
        return s >= from
                && SqlLexer.matches(buf, s, e, "CONNECTION_ID")
                && (s == from || !SqlLexer.isIdentifier(buf.getByte(s - 1)));
    }

    /** Whether the text at {@code i} starts like PREPARE or EXECUTE (their strings may hold a KILL). */
    private static boolean dynamic(ByteBuf buf, int i, int to) {
        if (to - i < 7) {
            return false;
        }
        int word = buf.getInt(i) & 0xDFDFDFDF; // ASCII upper case
        return word == (('P' << 24) | ('R' << 16) | ('E' << 8) | 'P')
                || word == (('E' << 24) | ('X' << 16) | ('E' << 8) | 'C');
    }

    /** The keyword at {@code i} if it is one Sluice acts on (KILL, LOAD, SHOW), else OTHER; a few byte reads. */
    static int firstKeyword(ByteBuf buf, int i, int to) {
        if (to - i < 4 || (to - i > 4 && SqlLexer.isIdentifier(buf.getByte(i + 4)))) {
            return OTHER;
        }
        int word = 0;
        for (int k = 0; k < 4; k++) {
            word = (word << 8) | (buf.getByte(i + k) & 0xDF); // ASCII upper case
        }
        return switch (word) {
            case ('K' << 24) | ('I' << 16) | ('L' << 8) | 'L' -> KILL;
            case ('L' << 24) | ('O' << 16) | ('A' << 8) | 'D' -> LOAD;
            case ('S' << 24) | ('H' << 16) | ('O' << 8) | 'W' -> SHOW;
            default -> OTHER;
        };
    }

    /** Every statement of the text in [from, to) and every CONNECTION_ID() call outside strings and comments. */
    static Scan scan(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        List<Statement> statements = new ArrayList<>(1);
        List<ConnectionIdCall> calls = List.of();
        SqlLexer lexer = new SqlLexer(buf, from, to, noBackslashEscapes);
        SelectList select = new SelectList();
        int keyword = -1;
        int keywordStart = 0;
        boolean keywordInExecutable = false;
        boolean previousStartsItem = false;
        for (int type = lexer.next(); ; type = lexer.next()) {
            if (type == SqlLexer.END || type == SqlLexer.SEMICOLON) {
                if (keyword >= 0) {
                    statements.add(new Statement(keyword, keywordStart, lexer.start, keywordInExecutable));
                }
                if (type == SqlLexer.END) {
                    return new Scan(statements, calls);
                }
                keyword = -1;
                select.reset();
                previousStartsItem = false;
                continue;
            }
            if (keyword < 0) {
                keywordStart = lexer.start;
                keywordInExecutable = lexer.inExecutable();
                keyword = type == SqlLexer.WORD ? keywordOf(lexer) : OTHER;
            }
            if (type == SqlLexer.WORD && keyword != CREATE && keyword != KILL && lexer.is("CONNECTION_ID")) {
                ConnectionIdCall call = connectionIdCall(lexer, previousStartsItem && select.inList());
                if (call != null) {
                    if (calls.isEmpty()) {
                        calls = new ArrayList<>(1);
                    }
                    calls.add(call);
                    previousStartsItem = false;
                    continue;
                }
            }
            select.onToken(lexer);
            previousStartsItem = type == SqlLexer.COMMA || (type == SqlLexer.WORD && startsSelectItem(lexer));
        }
    }

    /** Whether a PREPARE or EXECUTE IMMEDIATE statement has a string literal that is (or holds) a KILL. */
    static boolean preparesKill(ByteBuf buf, Statement statement, boolean noBackslashEscapes) {
        SqlLexer lexer = SqlLexer.of(buf, statement, noBackslashEscapes);
        for (int t = lexer.next(); t != SqlLexer.END; t = lexer.next()) {
            if (t == SqlLexer.STRING) {
                ByteBuf text = Unpooled.wrappedBuffer(lexer.stringValue());
                for (Statement inner :
                        scan(text, 0, text.writerIndex(), noBackslashEscapes).statements()) {
                    if (inner.keyword() == KILL
                            || (inner.keyword() == DYNAMIC && preparesKill(text, inner, noBackslashEscapes))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int keywordOf(SqlLexer lexer) {
        if (lexer.is("KILL")) {
            return KILL;
        } else if (lexer.is("LOAD")) {
            return LOAD;
        } else if (lexer.is("SHOW")) {
            return SHOW;
        } else if (lexer.is("CREATE") || lexer.is("ALTER")) {
            return CREATE;
        } else if (lexer.is("PREPARE") || lexer.is("EXECUTE")) {
            return DYNAMIC;
        }
        return OTHER;
    }

    /**
     * The call whose name is the lexer's current word, when {@code ( )} follow (the lexer then stands on the
     * {@code )}); null otherwise (lexer unmoved). A whole select-list item is followed by {@code ,}, {@code )},
     * the end of the statement or a clause keyword (not by an alias or an operator).
     */
    private static ConnectionIdCall connectionIdCall(SqlLexer lexer, boolean afterItemStart) {
        SqlLexer ahead = lexer.copy();
        if (ahead.next() != SqlLexer.LPAREN || ahead.next() != SqlLexer.RPAREN) {
            return null;
        }
        int start = lexer.start;
        int end = ahead.stop;
        boolean item = false;
        if (afterItemStart) {
            SqlLexer after = ahead.copy();
            int t = after.next();
            item = t == SqlLexer.COMMA
                    || t == SqlLexer.RPAREN
                    || t == SqlLexer.SEMICOLON
                    || t == SqlLexer.END
                    || (t == SqlLexer.WORD && SelectList.endsList(after));
        }
        lexer.next();
        lexer.next();
        return new ConnectionIdCall(start, end, item);
    }

    private static boolean startsSelectItem(SqlLexer lexer) {
        return lexer.is("SELECT")
                || lexer.is("DISTINCT")
                || lexer.is("ALL")
                || lexer.is("DISTINCTROW")
                || lexer.is("HIGH_PRIORITY")
                || lexer.is("STRAIGHT_JOIN")
                || lexer.is("SQL_SMALL_RESULT")
                || lexer.is("SQL_BIG_RESULT")
                || lexer.is("SQL_BUFFER_RESULT")
                || lexer.is("SQL_CACHE")
                || lexer.is("SQL_NO_CACHE")
                || lexer.is("SQL_CALC_FOUND_ROWS");
    }

    /** Whether the current token is inside a select list, per parenthesis depth (up to 64 levels). */
    private static final class SelectList {
        private long lists;
        private int depth;

        void reset() {
            lists = 0;
            depth = 0;
        }

        void onToken(SqlLexer lexer) {
            if (lexer.type == SqlLexer.LPAREN) {
                depth++;
                set(false);
            } else if (lexer.type == SqlLexer.RPAREN) {
                set(false);
                depth = Math.max(0, depth - 1);
            } else if (lexer.is("SELECT")) {
                set(true);
            } else if (lexer.type == SqlLexer.WORD && endsList(lexer)) {
                set(false);
            }
        }

        boolean inList() {
            return depth < 64 && (lists & (1L << depth)) != 0;
        }

        private void set(boolean on) {
            if (depth < 64) {
                lists = on ? lists | (1L << depth) : lists & ~(1L << depth);
            }
        }

        static boolean endsList(SqlLexer w) {
            return w.is("FROM")
                    || w.is("INTO")
                    || w.is("WHERE")
                    || w.is("GROUP")
                    || w.is("ORDER")
                    || w.is("HAVING")
                    || w.is("LIMIT")
                    || w.is("UNION")
                    || w.is("EXCEPT")
                    || w.is("INTERSECT")
                    || w.is("WINDOW")
                    || w.is("FOR")
                    || w.is("LOCK")
                    || w.is("PROCEDURE");
        }
    }
}
