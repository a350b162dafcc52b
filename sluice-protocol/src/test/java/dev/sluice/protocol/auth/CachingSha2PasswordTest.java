package dev.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.ProtocolException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Random;
import javax.crypto.Cipher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CachingSha2PasswordTest {
    private static final byte[] SECRET = "secret".getBytes(StandardCharsets.UTF_8);
    private static KeyPair keys;

    @BeforeAll
    static void keys() {
        keys = CachingSha2Password.generateKeyPair(2048);
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    @Test
    void scrambleMatchesIndependentComputation() throws Exception {
        long seedValue = System.nanoTime();
        Random random = new Random(seedValue);
        for (int i = 0; i < 100; i++) {
            byte[] password = new byte[1 + random.nextInt(30)];
            random.nextBytes(password);
            byte[] seed = new byte[20];
            random.nextBytes(seed);
            byte[] s1 = sha256(password);
            byte[] mask = sha256(sha256(s1), seed);
            byte[] expected = new byte[32];
            for (int j = 0; j < 32; j++) {
                expected[j] = (byte) (s1[j] ^ mask[j]);
            }
            byte[] response = CachingSha2Password.scramble(password, seed);
            assertThat(response).as("seed %d", seedValue).isEqualTo(expected);
            assertThat(CachingSha2Password.verify(seed, response, password)).isTrue();
            assertThat(CachingSha2Password.verifyCached(seed, response, CachingSha2Password.doubleHash(password)))
                    .isTrue();
            response[0] ^= 1;
            assertThat(CachingSha2Password.verify(seed, response, password)).isFalse();
            assertThat(CachingSha2Password.verifyCached(seed, response, CachingSha2Password.doubleHash(password)))
                    .isFalse();
        }
        assertThat(CachingSha2Password.scramble(new byte[0], new byte[20])).isEmpty();
    }

    @Test
    void cleartextIsPasswordAndNul() {
        assertThat(CachingSha2Password.cleartext(SECRET)).isEqualTo("secret\0".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void rsaRoundTripAndIndependentDecryption() throws Exception {
        byte[] seed = "abcdefghijklmnopqrst".getBytes(StandardCharsets.US_ASCII);
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        byte[] encrypted = CachingSha2Password.encryptPassword(SECRET, seed, pub);
        assertThat(encrypted).hasSize(256);
        assertThat(CachingSha2Password.decryptPassword(encrypted, seed, (RSAPrivateKey) keys.getPrivate()))
                .isEqualTo(SECRET);
        // independently: OAEP(SHA-1) decrypt and XOR with the repeating seed gives password + NUL
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
        c.init(Cipher.DECRYPT_MODE, keys.getPrivate());
        byte[] plain = c.doFinal(encrypted);
        for (int i = 0; i < plain.length; i++) {
            plain[i] ^= seed[i % seed.length];
        }
        assertThat(plain).isEqualTo("secret\0".getBytes(StandardCharsets.UTF_8));
        // a wrong seed is detected (no NUL at the end)
        assertThatThrownBy(() -> CachingSha2Password.decryptPassword(
                        encrypted, "ABCDEFGHIJKLMNOPQRST".getBytes(StandardCharsets.US_ASCII), (RSAPrivateKey)
                                keys.getPrivate()))
                .isInstanceOf(ProtocolException.class);
        // a password longer than the seed wraps the seed around
        byte[] longPw = "a-password-longer-than-twenty-bytes".getBytes(StandardCharsets.UTF_8);
        assertThat(CachingSha2Password.decryptPassword(
                        CachingSha2Password.encryptPassword(longPw, seed, pub), seed, (RSAPrivateKey)
                                keys.getPrivate()))
                .isEqualTo(longPw);
    }

    @Test
    void pemBothForms() {
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        String x509 = RsaPem.encodePublicKey(pub);
        assertThat(x509).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
        assertThat(RsaPem.parsePublicKey(x509)).isEqualTo(pub);
        assertThat(RsaPem.parsePublicKey(x509.getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo(pub);
        String pkcs1 = "-----BEGIN RSA PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(pkcs1Der(pub.getModulus(), pub.getPublicExponent()))
                + "\n-----END RSA PUBLIC KEY-----\n";
        RSAPublicKey parsed = RsaPem.parsePublicKey(pkcs1);
        assertThat(parsed.getModulus()).isEqualTo(pub.getModulus());
        assertThat(parsed.getPublicExponent()).isEqualTo(pub.getPublicExponent());
        assertThatThrownBy(() -> RsaPem.parsePublicKey("garbage")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() ->
                        RsaPem.parsePublicKey("-----BEGIN RSA PUBLIC KEY-----\nMAA=\n-----END RSA PUBLIC KEY-----"))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> RsaPem.parsePublicKey("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
                .isInstanceOf(ProtocolException.class);
    }

    /** DER of SEQUENCE { INTEGER n, INTEGER e }, written out by hand for the test. */
    private static byte[] pkcs1Der(BigInteger n, BigInteger e) {
        byte[] ni = derItem(0x02, n.toByteArray());
        byte[] ei = derItem(0x02, e.toByteArray());
        byte[] body = new byte[ni.length + ei.length];
        System.arraycopy(ni, 0, body, 0, ni.length);
        System.arraycopy(ei, 0, body, ni.length, ei.length);
        return derItem(0x30, body);
    }

    private static byte[] derItem(int tag, byte[] content) {
        byte[] len;
        if (content.length < 0x80) {
            len = new byte[] {(byte) content.length};
        } else if (content.length < 0x100) {
            len = new byte[] {(byte) 0x81, (byte) content.length};
        } else {
            len = new byte[] {(byte) 0x82, (byte) (content.length >> 8), (byte) content.length};
        }
        byte[] out = new byte[1 + len.length + content.length];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, content.length);
        return out;
    }
}
