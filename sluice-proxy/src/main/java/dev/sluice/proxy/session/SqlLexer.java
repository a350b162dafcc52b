package dev.sluice.proxy.session;

import dev.sluice.proxy.sql.SqlBytes;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The token level of MySQL's lexer, as far as Sluice needs it, over the bytes of a statement text (no String,
 * no copy): whitespace and comments ({@code -- }, {@code #}, {@code /* *}{@code /}) are skipped, executable
 * comments ({@code /*!}, {@code /*!50100}, {@code /*M!100301}) are code, quoted strings ('..' and "..", with
 * backslash escapes unless NO_BACKSLASH_ESCAPES, doubled quotes) and backtick identifiers are single tokens.
 * Words are runs of identifier characters (letters, digits, {@code _}, {@code $}, any byte of a multi-byte
 * character); a word starting with a digit is a number.
 */
final class SqlLexer {
    static final int END = 0;
    static final int WORD = 1;
    static final int NUMBER = 2;
    static final int STRING = 3;
    static final int QUOTED_ID = 4;
    static final int SEMICOLON = 5;
    static final int LPAREN = 6;
    static final int RPAREN = 7;
    static final int COMMA = 8;
    static final int OTHER = 9;

    /** {@link #hints} bits: a comment {@code /* sluice:writer *}{@code /} or {@code /* sluice:reader *}{@code /}. */
    static final int HINT_WRITER = 1;

    static final int HINT_READER = 2;

    private final ByteBuf buf;
    private final int end;
    private final boolean noBackslashEscapes;
    private int pos;
    /** Inside an executable comment: its closing {@code *}{@code /} is skipped like whitespace. */
    private boolean inExecutable;

    /** The current token: its type and its bytes [start, stop). */
    int type;

    int start;
    int stop;

    /** The routing hints (HINT_*) of the ordinary comments skipped so far. */
    int hints;

    SqlLexer(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
        this.noBackslashEscapes = noBackslashEscapes;
    }

    /** A lexer over one statement found by {@link StatementScanner#scan}, from its first keyword. */
    static SqlLexer of(ByteBuf buf, StatementScanner.Statement statement, boolean noBackslashEscapes) {
        SqlLexer lexer = new SqlLexer(buf, statement.start(), statement.end(), noBackslashEscapes);
        lexer.inExecutable = statement.inExecutableComment();
        return lexer;
    }

    /** A lexer over the same text that continues where this one is (for a look ahead). */
    SqlLexer copy() {
        SqlLexer c = new SqlLexer(buf, pos, end, noBackslashEscapes);
        c.inExecutable = inExecutable;
        return c;
    }

    /** Whether the current token is inside an executable comment. */
    boolean inExecutable() {
        return inExecutable;
    }

    boolean noBackslashEscapes() {
        return noBackslashEscapes;
    }

    ByteBuf buffer() {
        return buf;
    }

    int next() {
        while (pos < end) {
            byte c = buf.getByte(pos);
            if (isSpace(c)) {
                pos++;
            } else if (SqlBytes.isLineComment(buf, pos, end)) {
                pos = SqlBytes.lineEnd(buf, pos, end);
            } else if (c == '/' && at(pos + 1) == '*') {
                openComment();
            } else if (c == '*' && inExecutable && at(pos + 1) == '/') {
                inExecutable = false;
                pos += 2;
            } else {
                return token(c);
            }
        }
        type = END;
        start = stop = end;
        return END;
    }

    private void openComment() {
        int code = SqlBytes.executableStart(buf, pos, end);
        if (code >= 0) {
            inExecutable = true;
            pos = code;
            return;
        }
        int p = SqlBytes.commentClose(buf, pos, end);
        hints |= hint(buf, pos + 2, p);
        pos = Math.min(end, p + 2);
    }

    private int token(byte c) {
        start = pos;
        if (c == '\'' || c == '"') {
            pos = SqlBytes.quotedEnd(buf, pos, end, c, !noBackslashEscapes);
            type = STRING;
        } else if (c == '`') {
            pos = SqlBytes.quotedEnd(buf, pos, end, c, false);
            type = QUOTED_ID;
        } else if (isIdentifier(c)) {
            pos++;
            while (pos < end && isIdentifier(buf.getByte(pos))) {
                pos++;
            }
            type = isDigit(c) ? NUMBER : WORD;
        } else {
            pos++;
            type = switch (c) {
                case ';' -> SEMICOLON;
                case '(' -> LPAREN;
                case ')' -> RPAREN;
                case ',' -> COMMA;
                default -> OTHER;
            };
        }
        stop = pos;
        return type;
    }

    /** The current token is the word {@code upper} (ASCII, upper case), in any case. */
    boolean is(String upper) {
        return type == WORD && matches(buf, start, stop, upper);
    }

    static boolean matches(ByteBuf buf, int from, int to, String upper) {
        if (to - from != upper.length()) {
            return false;
        }
        for (int i = 0; i < upper.length(); i++) {
            int b = buf.getByte(from + i);
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value of the current STRING token as the server reads it: quotes removed, a doubled quote is one,
     * and unless NO_BACKSLASH_ESCAPES {@code \0 \b \n \r \t \Z} are control characters, {@code \%} and
     * {@code \_} keep their backslash, and a backslash before any other byte stands for that byte.
     */
    byte[] stringValue() {
        byte quote = buf.getByte(start);
        byte[] out = new byte[stop - start];
        int n = 0;
        int last = stop - 1; // the closing quote (an unclosed string runs to the end)
        if (last <= start || buf.getByte(last) != quote) {
            last = stop;
        }
        for (int p = start + 1; p < last; p++) {
            byte b = buf.getByte(p);
            if (b == '\\' && !noBackslashEscapes && p + 1 < last) {
                byte e = buf.getByte(++p);
                switch (e) {
                    case '0' -> out[n++] = 0;
                    case 'b' -> out[n++] = '\b';
                    case 'n' -> out[n++] = '\n';
                    case 'r' -> out[n++] = '\r';
                    case 't' -> out[n++] = '\t';
                    case 'Z' -> out[n++] = 0x1A;
                    case '%', '_' -> {
                        out[n++] = '\\';
                        out[n++] = e;
                    }
                    default -> out[n++] = e;
                }
            } else if (b == quote && p + 1 < last && buf.getByte(p + 1) == quote) {
                out[n++] = quote;
                p++;
            } else {
                out[n++] = b;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The text of the current WORD, NUMBER, QUOTED_ID (backticks removed, a doubled backtick is one) or STRING (its
     * value), as UTF-8.
     */
    String text() {
        if (type == STRING) {
            return new String(stringValue(), StandardCharsets.UTF_8);
        }
        if (type != QUOTED_ID) {
            return buf.toString(start, stop - start, StandardCharsets.UTF_8);
        }
        int last = stop > start + 1 && buf.getByte(stop - 1) == '`' ? stop - 1 : stop;
        return buf.toString(start + 1, last - start - 1, StandardCharsets.UTF_8).replace("``", "`");
    }

    /** HINT_WRITER or HINT_READER when the comment text [from, to) is {@code sluice:writer} or {@code sluice:reader}. */
    static int hint(ByteBuf buf, int from, int to) {
        int s = skipSpaces(buf, from, to);
        int e = to;
        while (e > s && isSpace(buf.getByte(e - 1))) {
            e--;
        }
        if (e - s != 13 || !matches(buf, s, s + 7, "SLUICE:")) {
            return 0;
        }
        return matches(buf, s + 7, e, "WRITER") ? HINT_WRITER : matches(buf, s + 7, e, "READER") ? HINT_READER : 0;
    }

    private byte at(int p) {
        return p < end ? buf.getByte(p) : 0;
    }

    /** The first position in [from, to) that is not whitespace, or {@code to}. */
    static int skipSpaces(ByteBuf buf, int from, int to) {
        int i = from;
        while (i < to && isSpace(buf.getByte(i))) {
            i++;
        }
        return i;
    }

    static boolean isSpace(byte c) {
        return SqlBytes.isSpace(c);
    }

    static boolean isDigit(byte c) {
        return SqlBytes.isDigit(c);
    }

    static boolean isIdentifier(byte c) {
        return SqlBytes.isIdentifier(c);
    }
}
