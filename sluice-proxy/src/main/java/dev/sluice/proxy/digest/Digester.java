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
 * Computes {@link QueryDigest}s, reusing its state from statement to statement so that the relay's digest of every
 * statement allocates nothing: one digester per event loop or session, not shared between threads.
 *
 * <p>It writes the normalised text of a statement token by token (the rules are in docs/DIGESTS.md) and hashes each
 * byte as it is written, so {@link #digest} needs no text at all; {@link #normalise} keeps the bytes as well.
 *
 * <p>The spacing is made, not copied: the input's whitespace and comments only separate tokens, and the output puts
 * one space between two tokens except after {@code (} and {@code .} and before {@code )}, {@code ,}, {@code .} and
 * {@code ;}. So {@code id=42} and {@code id = 42} have the same text, {@code id = ?}.
 *
 * <p>The hash is FNV-1a, 64-bit (Fowler, Noll, Vo: xor the byte in, then multiply by the FNV prime): one multiply per
 * byte, streaming, with no block to buffer.
 */
public final class Digester {
    static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;

    private static final byte[] COLLAPSED = {'(', '.', '.', '.', ')'};

    private final DigestLexer lexer = new DigestLexer();
    /** The normalised text so far, when it is kept; grown as needed and reused. */
    private byte[] text = new byte[0];

    private boolean keepText;
    private int length;
    private long hash;
    /** The type of the last token written, for the spacing; END before the first. */
    private int last;

    /** The digest of the statement in {@code buf}'s bytes [from, to), as {@link QueryDigest#digestOf}. */
    public long digest(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        run(buf, from, to, noBackslashEscapes, false);
        return hash;
    }

    /** The normalised text and digest of the statement in {@code buf}'s bytes [from, to), as {@link QueryDigest#of}. */
    public QueryDigest normalise(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        run(buf, from, to, noBackslashEscapes, true);
        return new QueryDigest(new String(text, 0, length, StandardCharsets.UTF_8), hash);
    }

    private void run(ByteBuf buf, int from, int to, boolean noBackslashEscapes, boolean keep) {
        DigestLexer lx = lexer;
        lx.init(buf, from, to, noBackslashEscapes);
        keepText = keep;
        length = 0;
        hash = FNV_OFFSET_BASIS;
        last = END;
        if (keep && text.length < 2 * (to - from)) {
            text = new byte[Math.max(64, 2 * (to - from))];
        }
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
        if (keepText) {
            byte[] t = text;
            if (length == t.length) {
                text = t = Arrays.copyOf(t, Math.max(64, 2 * length));
            }
            t[length++] = b;
        }
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
