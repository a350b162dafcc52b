package dev.sluice.protocol.auth;

import dev.sluice.protocol.ProtocolException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * RSA public keys in PEM, as a server sends them in AuthMoreData after a public-key request. Two forms
 * occur: "BEGIN PUBLIC KEY" (X.509 SubjectPublicKeyInfo, what MySQL sends) and "BEGIN RSA PUBLIC KEY"
 * (PKCS#1: just SEQUENCE { modulus, publicExponent }).
 */
public final class RsaPem {
    private static final String X509_BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String X509_END = "-----END PUBLIC KEY-----";
    private static final String PKCS1_BEGIN = "-----BEGIN RSA PUBLIC KEY-----";
    private static final String PKCS1_END = "-----END RSA PUBLIC KEY-----";

    private RsaPem() {}

    public static RSAPublicKey parsePublicKey(byte[] pem) {
        return parsePublicKey(new String(pem, StandardCharsets.US_ASCII));
    }

    /** Parses either PEM form; anything else is a {@link ProtocolException} (the PEM came from a peer). */
    public static RSAPublicKey parsePublicKey(String pem) {
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            if (pem.contains(PKCS1_BEGIN)) {
                byte[] der = base64Body(pem, PKCS1_BEGIN, PKCS1_END);
                Der reader = new Der(der);
                reader.expect(0x30, "RSAPublicKey SEQUENCE");
                reader.length();
                BigInteger modulus = reader.integer("modulus");
                BigInteger exponent = reader.integer("publicExponent");
                return (RSAPublicKey) factory.generatePublic(new RSAPublicKeySpec(modulus, exponent));
            }
            if (pem.contains(X509_BEGIN)) {
                byte[] der = base64Body(pem, X509_BEGIN, X509_END);
                return (RSAPublicKey) factory.generatePublic(new X509EncodedKeySpec(der));
            }
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw new ProtocolException("RSA public key PEM: " + e.getMessage(), e);
        }
        throw new ProtocolException("RSA public key PEM: no '" + X509_BEGIN + "' or '" + PKCS1_BEGIN + "' block");
    }

    /** "BEGIN PUBLIC KEY" (X.509) PEM with 64-character lines, as MySQL sends it. */
    public static String encodePublicKey(RSAPublicKey key) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded());
        return X509_BEGIN + "\n" + body + "\n" + X509_END + "\n";
    }

    private static byte[] base64Body(String pem, String begin, String end) {
        int from = pem.indexOf(begin) + begin.length();
        int to = pem.indexOf(end, from);
        if (to < 0) {
            throw new IllegalArgumentException("missing '" + end + "'");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from, to));
    }

    /** Just enough DER to read two INTEGERs out of a SEQUENCE, with bounds checks. */
    private static final class Der {
        private final byte[] der;
        private int pos;

        Der(byte[] der) {
            this.der = der;
        }

        void expect(int tag, String what) {
            if (pos >= der.length || (der[pos] & 0xFF) != tag) {
                throw new IllegalArgumentException(what + ": expected tag 0x" + Integer.toHexString(tag));
            }
            pos++;
        }

        int length() {
            if (pos >= der.length) {
                throw new IllegalArgumentException("truncated DER length");
            }
            int first = der[pos++] & 0xFF;
            if (first < 0x80) {
                return first;
            }
            int octets = first & 0x7F;
            if (octets > 3 || pos + octets > der.length) {
                throw new IllegalArgumentException("DER length of " + octets + " octets");
            }
            int length = 0;
            for (int i = 0; i < octets; i++) {
                length = (length << 8) | (der[pos++] & 0xFF);
            }
            return length;
        }

        BigInteger integer(String what) {
            expect(0x02, what);
            int length = length();
            if (length == 0 || pos + length > der.length) {
                throw new IllegalArgumentException(what + ": length " + length + " exceeds the key");
            }
            BigInteger value = new BigInteger(der, pos, length);
            pos += length;
            return value;
        }
    }
}
