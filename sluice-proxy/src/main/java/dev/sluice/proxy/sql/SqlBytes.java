package dev.sluice.proxy.sql;

import io.netty.buffer.ByteBuf;

/**
 * MySQL's lexical rules at the byte level, shared by the classifiers' lexer ({@code session.SqlLexer}) and the
 * digest's ({@code digest.DigestLexer}): which bytes are whitespace and identifier characters, and where a quoted
 * token, a comment or an executable comment's opening marker ends. Positions run up to {@code end} (exclusive); a
 * token the text cuts short ends at {@code end}.
 */
public final class SqlBytes {
    private SqlBytes() {}

    public static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == 0x0C;
    }

    public static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** Letters, digits, {@code _}, {@code $} and every byte of a multi-byte UTF-8 character. */
    public static boolean isIdentifier(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '$' || c < 0;
    }

    /**
     * The position after the quoted token that opens with {@code quote} at {@code p}: a doubled quote stays inside,
     * and with {@code escapes} a backslash takes the next byte with it.
     */
    public static int quotedEnd(ByteBuf buf, int p, int end, byte quote, boolean escapes) {
        p++;
        while (p < end) {
            byte b = buf.getByte(p);
            if (escapes && b == '\\') {
                p += 2;
            } else if (b == quote) {
                if (p + 1 >= end || buf.getByte(p + 1) != quote) {
                    return p + 1;
                }
                p += 2;
            } else {
                p++;
            }
        }
        return end;
    }

    /** Whether a comment to the end of the line starts at {@code p}: {@code #}, or {@code --} then a space or control byte or the end. */
    public static boolean isLineComment(ByteBuf buf, int p, int end) {
        byte c = buf.getByte(p);
        return c == '#'
                || (c == '-'
                        && p + 1 < end
                        && buf.getByte(p + 1) == '-'
                        && (p + 2 >= end || (buf.getByte(p + 2) & 0xFF) <= ' '));
    }

    /** The position of the newline that ends the line comment at {@code p}, or {@code end}. */
    public static int lineEnd(ByteBuf buf, int p, int end) {
        while (p < end && buf.getByte(p) != '\n') {
            p++;
        }
        return p;
    }

    /**
     * For the {@code /*} at {@code p}: when it opens an executable comment ({@code /*!}, {@code /*!50100},
     * {@code /*M!100301}), the position after its marker and version, where its code starts; otherwise -1.
     */
    public static int executableStart(ByteBuf buf, int p, int end) {
        int q = p + 2;
        if (q < end && buf.getByte(q) == '!') {
            q++;
        } else if (q + 1 < end && (buf.getByte(q) | 0x20) == 'm' && buf.getByte(q + 1) == '!') {
            q += 2;
        } else {
            return -1;
        }
        for (int digits = 0; digits < 6 && q < end && isDigit(buf.getByte(q)); digits++) {
            q++;
        }
        return q;
    }

    /** The position of the {@code *}{@code /} that closes the comment opened at {@code p}, or {@code end}. */
    public static int commentClose(ByteBuf buf, int p, int end) {
        int q = p + 2;
        while (q < end && !(buf.getByte(q) == '*' && q + 1 < end && buf.getByte(q + 1) == '/')) {
            q++;
        }
        return q;
    }
}
