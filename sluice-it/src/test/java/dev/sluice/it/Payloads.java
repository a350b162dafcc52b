package dev.sluice.it;

import dev.sluice.protocol.message.client.ClientCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Values and statements sized to the byte for the large-packet tests (directly and through Sluice), and the
 * checks on them.
 */
public final class Payloads {
    /** Nothing that needs escaping inside a SQL string literal. */
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private Payloads() {}

    /**
     * Printable bytes with a period of 251 (prime, so no 0xFFFFFF-aligned chunk repeats the previous one): a
     * lost, duplicated or reordered chunk shows up as a mismatch.
     */
    public static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ALPHABET.charAt((i % 251 * 7) % ALPHABET.length());
        }
        return b;
    }

    /** A server-side string of the given length repeating {@link #pattern}'s 251-byte period. */
    public static String patternSelect(int length) {
        String period = new String(pattern(251), StandardCharsets.US_ASCII);
        return "SELECT CAST(SUBSTRING(REPEAT('" + period + "', " + (length / 251 + 1) + "), 1, " + length
                + ") AS BINARY)";
    }

    /** The payload length of a command as the codec encodes it (no packet headers). */
    public static int payloadLength(ClientCommand command) {
        ByteBuf out = Unpooled.buffer();
        try {
            command.encode(out, 0);
            return out.readableBytes();
        } finally {
            out.release();
        }
    }

    public static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
