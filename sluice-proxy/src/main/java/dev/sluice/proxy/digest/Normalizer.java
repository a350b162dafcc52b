package dev.sluice.proxy.digest;

import static dev.sluice.proxy.digest.DigestLexer.COMMA;
import static dev.sluice.proxy.digest.DigestLexer.DOT;
import static dev.sluice.proxy.digest.DigestLexer.END;
import static dev.sluice.proxy.digest.DigestLexer.LITERAL;
import static dev.sluice.proxy.digest.DigestLexer.LPAREN;
import static dev.sluice.proxy.digest.DigestLexer.RPAREN;
import static dev.sluice.proxy.digest.DigestLexer.SEMICOLON;
import static dev.sluice.proxy.digest.DigestLexer.WORD;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes the normalised text of a statement token by token (the rules are in docs/DIGESTS.md) and hashes each byte
 * as it is written, so the digest alone needs no text at all: with {@code keepText} false nothing is stored.
 *
 * <p>The spacing is made, not copied: the input's whitespace and comments only separate tokens, and the output puts
 * one space between two tokens except after {@code (} and {@code .} and before {@code )}, {@code ,}, {@code .} and
 * {@code ;}. So {@code id=42} and {@code id = 42} have the same text, {@code id = ?}.
 *
 * <p>The hash is FNV-1a, 64-bit (Fowler, Noll, Vo: xor the byte in, then multiply by the FNV prime): one multiply per
 * byte, streaming, with no block to buffer.
 */
final class Normalizer {
    static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;

    private static final byte[] COLLAPSED = {'(', '.', '.', '.', ')'};

    private final DigestLexer lexer;
    private byte[] text;
    private int length;
    private long hash = FNV_OFFSET_BASIS;
    /** The type of the last token written, for the spacing; END before the first. */
    private int last = END;

    Normalizer(ByteBuf buf, int from, int to, boolean noBackslashEscapes, boolean keepText) {
        this.lexer = new DigestLexer(buf, from, to, noBackslashEscapes);
        this.text = keepText ? new byte[Math.max(16, 2 * (to - from))] : null;
    }

    /** Reads the whole statement; then {@link #hash} and {@link #text} are final. */
    Normalizer run() {
        DigestLexer lx = lexer;
        ByteBuf buf = lx.buffer();
        for (int t = lx.next(); t != END; t = lx.next()) {
            space(t);
            switch (t) {
                case LITERAL -> put((byte) '?');
                case WORD -> {
                    for (int p = lx.start; p < lx.stop; p++) {
                        byte b = buf.getByte(p);
                        put(b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b);
                    }
                    if (collapsesList(buf, lx.start, lx.stop)) {
                        last = WORD;
                        space(LPAREN);
                        for (byte b : COLLAPSED) {
                            put(b);
                        }
                        t = RPAREN;
                    }
                }
                default -> {
                    for (int p = lx.start; p < lx.stop; p++) {
                        put(buf.getByte(p));
                    }
                }
            }
            last = t;
        }
        return this;
    }

    /**
     * After {@code IN}: a parenthesised list of literals only; after {@code VALUES} or {@code VALUE}: one or more
     * such lists separated by commas. When one follows, it is consumed and true is returned; otherwise the lexer is
     * back after the word.
     */
    private boolean collapsesList(ByteBuf buf, int from, int to) {
        int n = to - from;
        boolean rows;
        if (n == 2 && (buf.getByte(from) | 0x20) == 'i' && (buf.getByte(from + 1) | 0x20) == 'n') {
            rows = false;
        } else if ((n == 5 || n == 6) && isWord(buf, from, to, "values")) {
            rows = true;
        } else {
            return false;
        }
        long before = lexer.mark();
        if (literalRows(rows)) {
            return true;
        }
        lexer.reset(before);
        return false;
    }

    private boolean literalRows(boolean rows) {
        DigestLexer lx = lexer;
        if (lx.next() != LPAREN) {
            return false;
        }
        for (; ; ) {
            if (lx.next() != LITERAL) {
                return false;
            }
            int t = lx.next();
            while (t == COMMA) {
                if (lx.next() != LITERAL) {
                    return false;
                }
                t = lx.next();
            }
            if (t != RPAREN) {
                return false;
            }
            if (!rows) {
                return true;
            }
            long afterRow = lx.mark();
            if (lx.next() != COMMA || lx.next() != LPAREN) {
                lx.reset(afterRow);
                return true;
            }
        }
    }

    /** The word [from, to) is {@code lower} or its prefix VALUE ({@code lower} in lower case, ASCII). */
    private static boolean isWord(ByteBuf buf, int from, int to, String lower) {
        for (int i = 0; i < to - from; i++) {
            if ((buf.getByte(from + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void space(int next) {
        if (last != END
                && last != LPAREN
                && last != DOT
                && next != RPAREN
                && next != COMMA
                && next != DOT
                && next != SEMICOLON) {
            put((byte) ' ');
        }
    }

    private void put(byte b) {
        hash = (hash ^ (b & 0xFF)) * FNV_PRIME;
        byte[] t = text;
        if (t != null) {
            if (length == t.length) {
                text = t = Arrays.copyOf(t, 2 * length);
            }
            t[length++] = b;
        }
    }

    long hash() {
        return hash;
    }

    String text() {
        return new String(text, 0, length, StandardCharsets.UTF_8);
    }

    /** FNV-1a 64 of whole bytes, the hash {@link #run} computes as it writes (for tests and for a text at hand). */
    static long hash(byte[] bytes) {
        long h = FNV_OFFSET_BASIS;
        for (byte b : bytes) {
            h = (h ^ (b & 0xFF)) * FNV_PRIME;
        }
        return h;
    }
}
