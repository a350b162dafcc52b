package dev.sluice.protocol.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * MariaDB's ed25519 authentication (server plugin {@code ed25519}, client plugin {@code client_ed25519}). The
 * server sends a 32-byte random scramble; the client answers with the 64-byte Ed25519 signature of it, made with a
 * key derived from the password; the server stores only the public key (43 characters of unpadded base64 in
 * {@code mysql.user.authentication_string}) and verifies the signature with it. A signature proves knowledge of
 * the password for this one scramble and reveals nothing a peer on the path could log in with elsewhere.
 *
 * <p>MariaDB's variant of the key derivation: the whole password (any length, the bytes the client sends, usually
 * UTF-8) is hashed with SHA-512, where RFC 8032 hashes a 32-byte seed; the 64 bytes are RFC 8032's expanded key
 * from there on (pruned scalar, then the nonce prefix). The curve arithmetic is Bouncy Castle's ({@link
 * Ed25519.ExpandedKey}); verification is plain Ed25519.
 */
public final class Ed25519Password {
    /** The client plugin a server names in its AuthSwitchRequest. */
    public static final String PLUGIN_NAME = "client_ed25519";
    /** The server plugin ({@code IDENTIFIED VIA ed25519}), as mysql.user / mysql.global_priv name it. */
    public static final String SERVER_PLUGIN_NAME = "ed25519";

    public static final int SCRAMBLE_LENGTH = 32;
    public static final int SIGNATURE_LENGTH = Ed25519.SIGNATURE_SIZE;
    public static final int PUBLIC_KEY_LENGTH = Ed25519.PUBLIC_KEY_SIZE;
    private static final int STORED_KEY_CHARS = 43;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ed25519Password() {}

    /** The client's answer to {@code scramble}: the 64-byte signature of it with the password's key. */
    public static byte[] sign(byte[] password, byte[] scramble) {
        byte[] expanded = expandedKey(password);
        try {
            byte[] signature = new byte[SIGNATURE_LENGTH];
            Ed25519.ExpandedKey.sign(expanded, 0, scramble, 0, scramble.length, signature, 0);
            return signature;
        } finally {
            Arrays.fill(expanded, (byte) 0);
        }
    }

    /** The public key of the password: what the server stores, base64-encoded ({@link #formatStoredKey}). */
    public static byte[] publicKey(byte[] password) {
        byte[] expanded = expandedKey(password);
        try {
            byte[] key = new byte[PUBLIC_KEY_LENGTH];
            Ed25519.ExpandedKey.generatePublicKey(expanded, 0, key, 0);
            return key;
        } finally {
            Arrays.fill(expanded, (byte) 0);
        }
    }

    /**
     * Server side: is {@code signature} the signature of {@code scramble} by the holder of {@code publicKey}? False
     * for a signature or key of the wrong length, and for a key that is not a point of the curve.
     */
    public static boolean verify(byte[] scramble, byte[] signature, byte[] publicKey) {
        if (signature.length != SIGNATURE_LENGTH || publicKey.length != PUBLIC_KEY_LENGTH) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, scramble, 0, scramble.length);
    }

    /** A fresh random scramble for a client to sign. */
    public static byte[] newScramble() {
        byte[] scramble = new byte[SCRAMBLE_LENGTH];
        RANDOM.nextBytes(scramble);
        return scramble;
    }

    /** Parses the server's stored form: the public key in base64 without padding (43 characters). */
    public static byte[] parseStoredKey(String stored) {
        byte[] key = null;
        if (stored.length() == STORED_KEY_CHARS) {
            try {
                key = Base64.getDecoder().decode(stored);
            } catch (IllegalArgumentException e) {
                key = null;
            }
        }
        if (key == null || key.length != PUBLIC_KEY_LENGTH) {
            throw new IllegalArgumentException("ed25519 public key: '" + stored
                    + "' (expected: 43 characters of base64, a 32-byte key, as mysql.user shows it)");
        }
        return key;
    }

    /** The server's stored form of a public key: base64 without padding, as {@code mysql.user} shows it. */
    public static String formatStoredKey(byte[] publicKey) {
        return Base64.getEncoder().withoutPadding().encodeToString(publicKey);
    }

    private static byte[] expandedKey(byte[] password) {
        try {
            return MessageDigest.getInstance("SHA-512").digest(password);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is required of every Java platform", e);
        }
    }
}
