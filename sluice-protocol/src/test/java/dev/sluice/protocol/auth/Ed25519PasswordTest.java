package dev.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ed25519PasswordTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The authentication_string MariaDB 10.11.19 stored for {@code CREATE USER ... IDENTIFIED VIA ed25519 USING
     * PASSWORD('...')} (read back with {@code SELECT authentication_string FROM mysql.user}). Passwords of 3, 7 and
     * 80 bytes, one with non-ASCII characters: none is a 32-byte RFC 8032 seed.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "foo|vubFBzIrapbfHct1/J72dnUryz5VS7lA6XHH8sIx4TI",
                "foo bar|Y5fV74JAVRMOK2cdnUsYS+WW9sXaaL/o+6WGKOgqnzc",
                "pässwörd-Ünïcode-and-a-long-tail-0123456789-0123456789-0123456789-0123456789"
                        + "|JXCaiQnTWiOwOUV2BZmnidhILJOkn0S3sYNUyHGNViw"
            })
    void publicKeyIsTheOneMariaDbStores(String password, String stored) {
        byte[] key = Ed25519Password.publicKey(utf8(password));
        assertThat(Ed25519Password.formatStoredKey(key)).isEqualTo(stored);
        assertThat(Ed25519Password.parseStoredKey(stored)).isEqualTo(key);
    }

    @Test
    void signatureVerifiesWithTheStoredKeyAndOnlyForItsScramble() {
        byte[] key = Ed25519Password.parseStoredKey("vubFBzIrapbfHct1/J72dnUryz5VS7lA6XHH8sIx4TI");
        byte[] scramble = Ed25519Password.newScramble();
        byte[] signature = Ed25519Password.sign(utf8("foo"), scramble);
        assertThat(signature).hasSize(64);
        assertThat(Ed25519Password.verify(scramble, signature, key)).isTrue();

        byte[] otherScramble = scramble.clone();
        otherScramble[31] ^= 1;
        assertThat(Ed25519Password.verify(otherScramble, signature, key)).isFalse();
        assertThat(Ed25519Password.verify(scramble, Ed25519Password.sign(utf8("fo0"), scramble), key))
                .isFalse();
        byte[] flipped = signature.clone();
        flipped[40] ^= 0x10;
        assertThat(Ed25519Password.verify(scramble, flipped, key)).isFalse();
        assertThat(Ed25519Password.verify(scramble, new byte[63], key)).isFalse();
        assertThat(Ed25519Password.verify(scramble, signature, new byte[31])).isFalse();
    }

    /** Signing is deterministic (RFC 8032): the same password and scramble give the same 64 bytes. */
    @Test
    void signingIsDeterministic() {
        byte[] scramble = new byte[32];
        new Random(7).nextBytes(scramble);
        assertThat(Ed25519Password.sign(utf8("secret"), scramble))
                .isEqualTo(Ed25519Password.sign(utf8("secret"), scramble))
                .isNotEqualTo(Ed25519Password.sign(utf8("secret!"), scramble));
    }

    /** An independent verifier, the JDK's Ed25519, accepts the signatures with the raw public key. */
    @Test
    void theJdksEd25519AcceptsTheSignatures() throws Exception {
        byte[] password = utf8("pässwörd");
        byte[] scramble = Ed25519Password.newScramble();
        Signature verifier = Signature.getInstance("Ed25519");
        verifier.initVerify(jdkKey(Ed25519Password.publicKey(password)));
        verifier.update(scramble);
        assertThat(verifier.verify(Ed25519Password.sign(password, scramble))).isTrue();
    }

    @Test
    void storedKeyOfAnotherFormIsRefused() {
        assertThatThrownBy(() -> Ed25519Password.parseStoredKey(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("43 characters of base64");
        assertThatThrownBy(() -> Ed25519Password.parseStoredKey("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Ed25519Password.parseStoredKey("vubFBzIrapbfHct1/J72dnUryz5VS7lA6XHH8sIx4T!"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** RFC 8032's encoding: y little-endian, the top bit the sign of x. */
    private static PublicKey jdkKey(byte[] raw) throws Exception {
        byte[] bigEndian = new byte[raw.length];
        for (int i = 0; i < raw.length; i++) {
            bigEndian[i] = raw[raw.length - 1 - i];
        }
        boolean xOdd = (bigEndian[0] & 0x80) != 0;
        bigEndian[0] &= 0x7F;
        EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, bigEndian));
        return KeyFactory.getInstance("Ed25519")
                .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
    }
}
