package dev.sluice.protocol.auth;

import dev.sluice.protocol.ProtocolException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;

/**
 * caching_sha2_password (see the MySQL page "caching_sha2_password authentication exchanges").
 *
 * <p>Fast path: the client sends {@code SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + seed)}; a server that has
 * {@code SHA256(SHA256(pw))} cached verifies it and answers AuthMoreData 0x03, else 0x04 (full
 * authentication). Full authentication sends the password itself: in clear (plus a NUL) over TLS, or else
 * RSA-encrypted with the server's public key, after XOR with the seed so it cannot be replayed against
 * another scramble. MySQL 8.0.5+ uses OAEP padding (SHA-1, MGF1).
 */
public final class CachingSha2Password {
    public static final String PLUGIN_NAME = "caching_sha2_password";
    private static final String RSA_TRANSFORMATION = "RSA/ECB/OAEPWithSHA-1AndMGF1Padding";

    private CachingSha2Password() {}

    /** The fast-path auth response; empty for an empty password. */
    public static byte[] scramble(byte[] password, byte[] seed) {
        if (password.length == 0) {
            return new byte[0];
        }
        byte[] stage1 = Digests.sha256(password);
        byte[] stage2 = Digests.sha256(stage1);
        return Digests.xor(stage1, Digests.sha256(stage2, seed));
    }

    /** SHA256(SHA256(password)), what the server caches after a successful full authentication. */
    public static byte[] doubleHash(byte[] password) {
        return Digests.sha256(Digests.sha256(password));
    }

    /** Server side, knowing the plaintext password: constant-time comparison with the expected response. */
    public static boolean verify(byte[] seed, byte[] response, byte[] password) {
        return MessageDigest.isEqual(scramble(password, seed), response);
    }

    /** Server side, knowing only the cached {@link #doubleHash}: recovers SHA256(pw) and checks it. */
    public static boolean verifyCached(byte[] seed, byte[] response, byte[] doubleHash) {
        if (response.length != 32 || doubleHash.length != 32) {
            return false;
        }
        byte[] stage1 = Digests.xor(response, Digests.sha256(doubleHash, seed));
        return MessageDigest.isEqual(Digests.sha256(stage1), doubleHash);
    }

    /** Full authentication over TLS: the password followed by a NUL. */
    public static byte[] cleartext(byte[] password) {
        return Arrays.copyOf(password, password.length + 1);
    }

    /** Full authentication without TLS: RSA-OAEP of (password + NUL) XOR seed (the seed repeating). */
    public static byte[] encryptPassword(byte[] password, byte[] seed, RSAPublicKey key) {
        byte[] plain = xorRepeating(cleartext(password), seed);
        try {
            Cipher cipher = Cipher.getInstance(RSA_TRANSFORMATION);
            cipher.init(Cipher.ENCRYPT_MODE, key);
            return cipher.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA encryption of the password failed: " + e.getMessage(), e);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    /** Server side of {@link #encryptPassword}: returns the password without its NUL. */
    public static byte[] decryptPassword(byte[] encrypted, byte[] seed, RSAPrivateKey key) {
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance(RSA_TRANSFORMATION);
            cipher.init(Cipher.DECRYPT_MODE, key);
            plain = cipher.doFinal(encrypted);
        } catch (GeneralSecurityException e) {
            throw new ProtocolException(
                    "caching_sha2_password encrypted password: cannot decrypt (" + encrypted.length + " bytes): "
                            + e.getMessage(),
                    e);
        }
        byte[] withNul = xorRepeating(plain, seed);
        Arrays.fill(plain, (byte) 0);
        if (withNul.length == 0 || withNul[withNul.length - 1] != 0) {
            throw new ProtocolException("caching_sha2_password encrypted password: no terminating NUL after"
                    + " decryption (wrong seed or key?)");
        }
        return Arrays.copyOf(withNul, withNul.length - 1);
    }

    /** A fresh RSA key pair for a server offering full authentication without TLS. */
    public static KeyPair generateKeyPair(int bits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation failed", e);
        }
    }

    static byte[] xorRepeating(byte[] data, byte[] seed) {
        byte[] out = data.clone();
        if (seed.length == 0) {
            return out;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] ^= seed[i % seed.length];
        }
        return out;
    }
}
