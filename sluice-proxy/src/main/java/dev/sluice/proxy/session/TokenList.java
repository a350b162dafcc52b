package dev.sluice.proxy.session;

import dev.sluice.proxy.session.StatementEffects.Name;
import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Locale;

/** The {@link SqlLexer} tokens of one statement, for reading with look-ahead (the slow path of {@link EffectsParser}). */
final class TokenList {
    final ByteBuf buf;
    final boolean noBackslashEscapes;
    int[] type = new int[64];
    int[] start = new int[64];
    int[] stop = new int[64];
    int n;

    TokenList(ByteBuf buf, boolean noBackslashEscapes) {
        this.buf = buf;
        this.noBackslashEscapes = noBackslashEscapes;
    }

    void add(SqlLexer lexer) {
        if (n == type.length) {
            type = Arrays.copyOf(type, n * 2);
            start = Arrays.copyOf(start, n * 2);
            stop = Arrays.copyOf(stop, n * 2);
        }
        type[n] = lexer.type;
        start[n] = lexer.start;
        stop[n] = lexer.stop;
        n++;
    }

    boolean closes(int i) {
        return i < n && type[i] == SqlLexer.RPAREN;
    }

    boolean assignment(int i) {
        return isChar(i, '=') || (isChar(i, ':') && isChar(i + 1, '='));
    }

    /** {@code [db.]name} at i, or null when i is not a name. */
    Name name(int i) {
        if (!isName(i)) {
            return null;
        }
        if (isChar(i + 1, '.') && isName(i + 2)) {
            return new Name(text(i), text(i + 2));
        }
        return new Name(null, text(i));
    }

    int afterName(int i) {
        return isChar(i + 1, '.') && isName(i + 2) ? i + 3 : i + 1;
    }

    /** A case-insensitive name (prepared statements). */
    Name lowerName(int i) {
        return isName(i) ? new Name(null, text(i).toLowerCase(Locale.ROOT)) : null;
    }

    boolean isName(int i) {
        return i < n && (type[i] == SqlLexer.WORD || type[i] == SqlLexer.QUOTED_ID || type[i] == SqlLexer.NUMBER);
    }

    boolean is(int i, String upper) {
        if (i >= n) {
            return false;
        }
        return type[i] == SqlLexer.WORD && SqlLexer.matches(buf, start[i], stop[i], upper);
    }

    /** A function's name, also quoted ({@code `GET_LOCK`(...)} calls the same function). */
    boolean isFunction(int i, String upper) {
        return is(i, upper) || (type[i] == SqlLexer.QUOTED_ID && upper.equalsIgnoreCase(text(i)));
    }

    boolean isChar(int i, char c) {
        return i < n && i >= 0 && type[i] == SqlLexer.OTHER && buf.getByte(start[i]) == c;
    }

    String text(int i) {
        return token(i).text();
    }

    byte[] value(int i) {
        return token(i).stringValue();
    }

    SqlLexer token(int i) {
        SqlLexer lexer = new SqlLexer(buf, start[i], stop[i], noBackslashEscapes);
        lexer.next();
        return lexer;
    }
}
