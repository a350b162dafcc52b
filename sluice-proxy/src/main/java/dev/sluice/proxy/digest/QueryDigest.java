package dev.sluice.proxy.digest;

import io.netty.buffer.ByteBuf;

/**
 * A statement's normalised text (literals as {@code ?}, lists of literals as {@code (...)}, comments dropped, one
 * space between tokens, unquoted words in lower case: docs/DIGESTS.md has the rules) and its digest, the 64-bit
 * FNV-1a hash of that text's UTF-8 bytes. Statements that differ only in their literal values, spacing, case and
 * comments have the same digest.
 *
 * <p>The relay needs the digest of every statement but the text only the first time a digest is seen:
 * {@link #digestOf} hashes the normalised bytes as they are produced and builds no text; {@link #of} builds both.
 * Both read the statement's bytes once and never throw on a text cut short. They make a {@link Digester} each
 * time; the relay keeps one and reuses it, which allocates nothing for a digest.
 */
public record QueryDigest(String text, long digest) {

    /**
     * The digest and text of the statement in {@code buf}'s bytes [from, to), e.g. a COM_QUERY payload after its
     * command byte; {@code noBackslashEscapes} is the session's NO_BACKSLASH_ESCAPES (it decides where strings end).
     */
    public static QueryDigest of(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        return new Digester().normalise(buf, from, to, noBackslashEscapes);
    }

    /** The same digest as {@link #of} gives, without building the text. */
    public static long digestOf(ByteBuf buf, int from, int to, boolean noBackslashEscapes) {
        return new Digester().digest(buf, from, to, noBackslashEscapes);
    }

    /** The digest as 16 lower-case hex digits, as the admin interface will show it. */
    public String hex() {
        return String.format("%016x", digest);
    }
}
