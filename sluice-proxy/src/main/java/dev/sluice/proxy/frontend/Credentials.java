package dev.sluice.proxy.frontend;

import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.protocol.auth.Ed25519Password;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.proxy.config.UserConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks of what a client sent against a configured user. Passwords are compared as UTF-8 bytes. */
public final class Credentials {
    private Credentials() {}

    /**
     * Whether the plaintext is configured, which caching_sha2_password (or a cache entry made from it) and
     * client_ed25519 (its public key) need; a native hash is not enough.
     */
    static boolean hasPlaintext(UserConfig user) {
        return user.password() != null;
    }

    /** client_ed25519: the client's signature of {@code scramble} against the configured password's public key. */
    static boolean verifyEd25519(UserConfig user, byte[] scramble, byte[] signature) {
        return Ed25519Password.verify(scramble, signature, Ed25519Password.publicKey(bytes(user.password())));
    }

    static boolean hasEmptyPassword(UserConfig user) {
        return user.password() != null
                ? user.password().isEmpty()
                : user.nativeHash().isEmpty();
    }

    /**
     * mysql_native_password: against the plaintext's SHA1(SHA1()), or the stored "*HEX" hash.
     *
     * @throws IllegalArgumentException when the configured hash is malformed
     */
    public static boolean verifyNative(UserConfig user, byte[] seed, byte[] response) {
        byte[] stored = user.password() != null
                ? NativePassword.hashOfHash(bytes(user.password()))
                : NativePassword.parseStoredHash(user.nativeHash());
        return NativePassword.verify(seed, response, stored);
    }

    /** Constant-time comparison of a password the client sent (without its NUL) with the configured one. */
    static boolean matchesPassword(UserConfig user, byte[] candidate) {
        return user.password() != null && MessageDigest.isEqual(bytes(user.password()), candidate);
    }

    /** The cleartext of caching_sha2_password full authentication: the password and one NUL. */
    static byte[] stripNul(byte[] cleartext) {
        if (cleartext.length > 0 && cleartext[cleartext.length - 1] == 0) {
            return java.util.Arrays.copyOf(cleartext, cleartext.length - 1);
        }
        return cleartext;
    }

    static boolean verifySha2Cached(byte[] seed, byte[] response, byte[] doubleHash) {
        return CachingSha2Password.verifyCached(seed, response, doubleHash);
    }

    static byte[] bytes(String password) {
        return password.getBytes(StandardCharsets.UTF_8);
    }
}
