package dev.sluice.protocol.auth;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * mysql_native_password. The client proves it knows the password without sending it:
 * {@code response = SHA1(password) XOR SHA1(seed + SHA1(SHA1(password)))}, with the server's 20-byte seed
 * (the scramble of the greeting or of an AuthSwitchRequest, without its trailing NUL). The server stores
 * only {@code SHA1(SHA1(password))} (shown as "*" + 40 upper-case hex digits in mysql.user and by
 * {@code PASSWORD()}), which is enough to verify: {@code SHA1(response XOR SHA1(seed + stored)) == stored}.
 * An empty password is sent as an empty response and stored as an empty hash.
 */
public final class NativePassword {
    public static final String PLUGIN_NAME = "mysql_native_password";
    public static final int SEED_LENGTH = 20;
    private static final int HASH_LENGTH = 20;

    private NativePassword() {}

    /** The auth response for {@code password} (bytes as the client sends them, usually UTF-8). */
    public static byte[] scramble(byte[] password, byte[] seed) {
        if (password.length == 0) {
            return new byte[0];
        }
        byte[] stage1 = Digests.sha1(password);
        byte[] stage2 = Digests.sha1(stage1);
        return Digests.xor(stage1, Digests.sha1(seed, stage2));
    }

    /**
     * The auth response from SHA1(password) alone, without the password: {@code stage1 XOR SHA1(seed +
     * SHA1(stage1))}. What a proxy that recovered a client's stage 1 ({@link #recoverStage1}) sends a server; empty
     * for an empty stage 1 (the empty password).
     */
    public static byte[] scrambleFromStage1(byte[] stage1, byte[] seed) {
        if (stage1.length == 0) {
            return new byte[0];
        }
        return Digests.xor(stage1, Digests.sha1(seed, Digests.sha1(stage1)));
    }

    /**
     * Server side, as {@link #verify}, and on success what the client proved to know: SHA1(password), recovered as
     * {@code response XOR SHA1(seed + stored)} and checked against {@code stored = SHA1(SHA1(password))}. Returns
     * null when the response does not match; an empty array for the empty password (empty response and hash).
     */
    public static byte[] recoverStage1(byte[] seed, byte[] response, byte[] stored) {
        if (stored.length == 0 || response.length == 0) {
            return stored.length == 0 && response.length == 0 ? new byte[0] : null;
        }
        if (stored.length != HASH_LENGTH || response.length != HASH_LENGTH) {
            return null;
        }
        byte[] candidateStage1 = Digests.xor(response, Digests.sha1(seed, stored));
        return MessageDigest.isEqual(Digests.sha1(candidateStage1), stored) ? candidateStage1 : null;
    }

    /** SHA1(SHA1(password)), what a server stores; empty for an empty password. */
    public static byte[] hashOfHash(byte[] password) {
        if (password.length == 0) {
            return new byte[0];
        }
        return Digests.sha1(Digests.sha1(password));
    }

    /** Parses "*" + 40 hex digits (mysql.user, {@code PASSWORD()}); "" is the empty password. */
    public static byte[] parseStoredHash(String stored) {
        if (stored.isEmpty()) {
            return new byte[0];
        }
        if (stored.length() != 1 + 2 * HASH_LENGTH || stored.charAt(0) != '*') {
            throw new IllegalArgumentException(
                    "mysql_native_password hash: '" + stored + "' (expected: '*' followed by 40 hex digits, or empty)");
        }
        return HexFormat.of().parseHex(stored, 1, stored.length());
    }

    /** "*" + 40 upper-case hex digits, as {@code PASSWORD()} shows it; "" for an empty hash. */
    public static String formatStoredHash(byte[] hashOfHash) {
        if (hashOfHash.length == 0) {
            return "";
        }
        return "*" + HexFormat.of().formatHex(hashOfHash).toUpperCase(Locale.ROOT);
    }

    /**
     * Server side: does {@code response} prove knowledge of the password whose {@link #hashOfHash} is
     * {@code stored}, for this {@code seed}? Compares in constant time.
     */
    public static boolean verify(byte[] seed, byte[] response, byte[] stored) {
        return recoverStage1(seed, response, stored) != null;
    }
}
