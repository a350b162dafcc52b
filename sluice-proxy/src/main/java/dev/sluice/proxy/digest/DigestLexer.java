package dev.sluice.proxy.digest;

import static dev.sluice.proxy.sql.SqlBytes.isDigit;
import static dev.sluice.proxy.sql.SqlBytes.isIdentifier;
import static dev.sluice.proxy.sql.SqlBytes.isSpace;

import dev.sluice.proxy.sql.SqlBytes;
import io.netty.buffer.ByteBuf;

/**
 * The tokens a digest is made of, read in one pass over the bytes of a statement text (no copy, no String, no
 * allocation; one lexer reads one statement after another).
 *
 * <p>Why not {@code session.SqlLexer}: that lexer serves the classifiers, which look at a few leading words. A
 * digest needs every token and its exact extent, and there the classifiers' lexer does not fit: it returns one
 * OTHER token per operator byte ({@code >=} would be two), splits {@code 1.5e-3} at the dot and the sign, reads
 * {@code x'0a'} and {@code b'01'} as a word followed by a string, and does not know a leading sign from a binary
 * minus. Teaching it all of that would slow down and complicate the classifiers, which need none of it.
 *
 * <p>What is a literal here: a string in {@code '..'} or {@code ".."} (backslash escapes unless
 * NO_BACKSLASH_ESCAPES, a doubled quote stays inside; ANSI_QUOTES is not known, so a double-quoted text is a
 * string), {@code x'..'}, {@code b'..'}, {@code n'..'}, a number ({@code 42}, {@code 4.2}, {@code .5},
 * {@code 1e-3}, {@code 0x1f}, {@code 0b101}), a {@code ?} placeholder, and a number with its {@code -} when the
 * minus cannot be binary (at the start, or after an operator, {@code (}, {@code ,} or {@code ;}). A run of
 * identifier bytes that starts with a digit but is not a number ({@code 1st}) is a word, as MySQL reads it.
 * Comments are skipped; an executable comment's markers ({@code /*!}, {@code /*!50100}, {@code /*M!100301} and its
 * closing) are skipped and its content is read as code. A text cut short (an open string, comment or identifier)
 * ends its token at the end of the text.
 */
final class DigestLexer {
    static final int END = 0;
    static final int WORD = 1;
    static final int QUOTED_ID = 2;
    static final int LITERAL = 3;
    static final int LPAREN = 4;
    static final int RPAREN = 5;
    static final int COMMA = 6;
    static final int DOT = 7;
    static final int SEMICOLON = 8;
    static final int OPERATOR = 9;

    private ByteBuf buf;
    private int end;
    private boolean noBackslashEscapes;
    private int pos;
    private boolean inExecutable;

    /** The current token: its type and its bytes [start, stop). */
    int type = END;

    int start;
    int stop;

    /** Starts reading the text in {@code buf}'s bytes [from, to); a lexer is reused from statement to statement. */
    void init(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
        this.noBackslashEscapes = noBackslashEscapes;
        this.inExecutable = false;
        this.type = END;
        this.start = this.stop = from;
    }

    /** A position to come back to with {@link #reset} after a look ahead. */
    long mark() {
        return ((long) pos << 33) | ((long) type << 1) | (inExecutable ? 1 : 0);
    }

    /** Back to a {@link #mark}: the token read then is current again, except its extent. */
    void reset(long mark) {
        pos = (int) (mark >>> 33);
        type = (int) ((mark >>> 1) & 0xF);
        inExecutable = (mark & 1) != 0;
    }

    int next() {
        int previous = type;
        while (pos < end) {
            byte c = buf.getByte(pos);
            if (isSpace(c)) {
                pos++;
            } else if (SqlBytes.isLineComment(buf, pos, end)) {
                pos = SqlBytes.lineEnd(buf, pos, end);
            } else if (c == '/' && at(pos + 1) == '*') {
                int code = SqlBytes.executableStart(buf, pos, end);
                inExecutable |= code >= 0;
                pos = code >= 0 ? code : Math.min(end, SqlBytes.commentClose(buf, pos, end) + 2);
            } else if (c == '*' && inExecutable && at(pos + 1) == '/') {
                inExecutable = false;
                pos += 2;
            } else {
                start = pos;
                type = token(c, previous);
                stop = pos;
                return type;
            }
        }
        start = stop = end;
        type = END;
        return END;
    }

    private int token(byte c, int previous) {
        if (c == '\'' || c == '"') {
            pos = SqlBytes.quotedEnd(buf, pos, end, c, !noBackslashEscapes);
            return LITERAL;
        }
        if (c == '`') {
            pos = SqlBytes.quotedEnd(buf, pos, end, c, false);
            return QUOTED_ID;
        }
        if (c == '?') {
            pos++;
            return LITERAL;
        }
        if (isDigit(c) || (c == '.' && isDigit(at(pos + 1)) && !qualifies(previous))) {
            int n = numberEnd(pos);
            if (n >= 0) {
                pos = n;
                return LITERAL;
            }
            return word();
        }
        if (c == '-' && !qualifies(previous) && previous != LITERAL) {
            int n = signedNumberEnd();
            if (n >= 0) {
                pos = n;
                return LITERAL;
            }
        }
        if (isIdentifier(c)) {
            if (pos + 1 < end && buf.getByte(pos + 1) == '\'' && isIntroducer(c)) {
                pos = SqlBytes.quotedEnd(buf, pos + 1, end, (byte) '\'', !noBackslashEscapes && (c | 0x20) == 'n');
                return LITERAL;
            }
            return word();
        }
        if (c == '@' && (isIdentifier(at(pos + 1)) || (at(pos + 1) == '@' && isIdentifier(at(pos + 2))))) {
            // @user_variable and @@system_variable are names; a lone @ ('user'@'host') is an operator
            pos += at(pos + 1) == '@' ? 2 : 1;
            return word();
        }
        pos++;
        return switch (c) {
            case '(' -> LPAREN;
            case ')' -> RPAREN;
            case ',' -> COMMA;
            case '.' -> DOT;
            case ';' -> SEMICOLON;
            default -> {
                pos = operatorEnd(c, pos);
                yield OPERATOR;
            }
        };
    }

    /** After a name or a closing parenthesis, a dot qualifies ({@code t.c}) and a minus subtracts. */
    private static boolean qualifies(int previous) {
        return previous == WORD || previous == QUOTED_ID || previous == RPAREN;
    }

    private int word() {
        pos++;
        while (pos < end && isIdentifier(buf.getByte(pos))) {
            pos++;
        }
        return WORD;
    }

    /** The end of a number right after the {@code -} at {@link #pos} (spaces allowed between), or -1. */
    private int signedNumberEnd() {
        int p = pos + 1;
        while (p < end && isSpace(buf.getByte(p))) {
            p++;
        }
        byte c = at(p);
        if (isDigit(c) || (c == '.' && isDigit(at(p + 1)))) {
            return numberEnd(p);
        }
        return -1;
    }

    /**
     * The end of the number that starts at {@code p}, or -1 when the identifier bytes there are a name (a name may
     * start with digits).
     */
    private int numberEnd(int p) {
        if (buf.getByte(p) == '0' && ((at(p + 1) | 0x20) == 'x' || (at(p + 1) | 0x20) == 'b')) {
            boolean hex = (at(p + 1) | 0x20) == 'x';
            int q = p + 2;
            while (q < end && (hex ? isHexDigit(buf.getByte(q)) : (buf.getByte(q) == '0' || buf.getByte(q) == '1'))) {
                q++;
            }
            if (q > p + 2 && !isIdentifier(at(q))) {
                return q;
            }
        }
        int q = digitsEnd(p);
        if (at(q) == '.') {
            q = digitsEnd(q + 1);
        }
        byte e = at(q);
        if ((e | 0x20) == 'e') {
            byte s = at(q + 1);
            if (isDigit(s)) {
                q = digitsEnd(q + 1);
            } else if ((s == '-' || s == '+') && isDigit(at(q + 2))) {
                q = digitsEnd(q + 2);
            }
        }
        return isIdentifier(at(q)) ? -1 : q;
    }

    private int digitsEnd(int p) {
        while (p < end && isDigit(buf.getByte(p))) {
            p++;
        }
        return p;
    }

    /** The end of the operator whose first byte {@code c} ends at {@code p}: the multi-byte ones are one token. */
    private int operatorEnd(byte c, int p) {
        byte d = at(p);
        return switch (c) {
            case '<' -> d == '=' ? (at(p + 1) == '>' ? p + 2 : p + 1) : (d == '>' || d == '<' ? p + 1 : p);
            case '>' -> d == '=' || d == '>' ? p + 1 : p;
            case '!', ':' -> d == '=' ? p + 1 : p;
            case '|' -> d == '|' ? p + 1 : p;
            case '&' -> d == '&' ? p + 1 : p;
            case '-' -> d == '>' ? (at(p + 1) == '>' ? p + 2 : p + 1) : p;
            default -> p;
        };
    }

    /** The byte at {@code p}, or 0 past the end. */
    byte at(int p) {
        return p < end ? buf.getByte(p) : 0;
    }

    private static boolean isIntroducer(byte c) {
        int lower = c | 0x20;
        return lower == 'x' || lower == 'b' || lower == 'n';
    }

    private static boolean isHexDigit(byte c) {
        return isDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }
}
