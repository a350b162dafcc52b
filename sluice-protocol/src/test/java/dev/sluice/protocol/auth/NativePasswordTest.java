package dev.sluice.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NativePasswordTest {
    private static final byte[] SECRET = "secret".getBytes(StandardCharsets.UTF_8);

    /** Independent computation with MessageDigest, written out step by step. */
    private static byte[] expected(byte[] password, byte[] seed) throws Exception {
        byte[] stage1 = MessageDigest.getInstance("SHA-1").digest(password);
        byte[] stage2 = MessageDigest.getInstance("SHA-1").digest(stage1);
        MessageDigest md = MessageDigest.getInstance("SHA-1");
        md.update(seed);
        md.update(stage2);
        byte[] mask = md.digest();
        byte[] out = new byte[20];
        for (int i = 0; i < 20; i++) {
            out[i] = (byte) (stage1[i] ^ mask[i]);
        }
        return out;
    }

    @Test
    void hashOfHashMatchesMariaDbPasswordFunction() {
        // SELECT PASSWORD('secret') on MariaDB 10.11.18
        assertThat(NativePassword.formatStoredHash(NativePassword.hashOfHash(SECRET)))
                .isEqualTo("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
        assertThat(NativePassword.parseStoredHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"))
                .isEqualTo(NativePassword.hashOfHash(SECRET));
        assertThat(NativePassword.parseStoredHash("")).isEmpty();
        assertThatThrownBy(() -> NativePassword.parseStoredHash("14E65567"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fixedVectorAcceptedByMariaDb() {
        // From golden/connection/mariadb-native-login.hex: greeting scramble and the response MariaDB accepted.
        // MariaDB answered OK, so this response is right for password "secret" by the server's own check.
        byte[] seed = HexFormat.of().parseHex("43785479264f3a73" + "56354331693f3f5e3d55715d"); // part 1 + part 2
        assertThat(seed).hasSize(20);
        byte[] response = NativePassword.scramble(SECRET, seed);
        assertThat(HexFormat.of().formatHex(response)).isEqualTo("a6108bb2a01ea3642b7b366c5a5fb3d3631aac4b");
        assertThat(NativePassword.verify(
                        seed, response, NativePassword.parseStoredHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7")))
                .isTrue();
    }

    @Test
    void matchesIndependentComputationAndVerifies() throws Exception {
        long seedValue = System.nanoTime();
        Random random = new Random(seedValue);
        for (int i = 0; i < 200; i++) {
            byte[] password = new byte[1 + random.nextInt(40)];
            random.nextBytes(password);
            byte[] seed = new byte[20];
            random.nextBytes(seed);
            byte[] response = NativePassword.scramble(password, seed);
            assertThat(response).as("seed %d", seedValue).isEqualTo(expected(password, seed));
            byte[] stored = NativePassword.hashOfHash(password);
            assertThat(NativePassword.verify(seed, response, stored))
                    .as("seed %d", seedValue)
                    .isTrue();
            response[random.nextInt(20)] ^= 1 << random.nextInt(8);
            assertThat(NativePassword.verify(seed, response, stored))
                    .as("seed %d", seedValue)
                    .isFalse();
        }
    }

    @Test
    void emptyPassword() {
        byte[] seed = new byte[20];
        assertThat(NativePassword.scramble(new byte[0], seed)).isEmpty();
        assertThat(NativePassword.hashOfHash(new byte[0])).isEmpty();
        assertThat(NativePassword.verify(seed, new byte[0], new byte[0])).isTrue();
        assertThat(NativePassword.verify(seed, new byte[0], NativePassword.hashOfHash(SECRET)))
                .isFalse();
        assertThat(NativePassword.verify(seed, NativePassword.scramble(SECRET, seed), new byte[0]))
                .isFalse();
        assertThat(NativePassword.verify(seed, new byte[5], NativePassword.hashOfHash(SECRET)))
                .isFalse();
    }

    /** A proxy holding only the stored hash recovers SHA1(password) from a client's answer, and nothing from others. */
    @Test
    void recoverStage1GivesSha1OfThePasswordOnlyForTheRightAnswer() throws Exception {
        byte[] seed = new byte[20];
        new Random(7).nextBytes(seed);
        byte[] stored = NativePassword.parseStoredHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"); // 'secret'
        byte[] answer = expected(SECRET, seed);

        assertThat(NativePassword.recoverStage1(seed, answer, stored))
                .isEqualTo(MessageDigest.getInstance("SHA-1").digest(SECRET));
        byte[] wrong = expected("Secret".getBytes(StandardCharsets.UTF_8), seed);
        assertThat(NativePassword.recoverStage1(seed, wrong, stored)).isNull();
        byte[] otherSeed = seed.clone();
        otherSeed[0] ^= 1;
        assertThat(NativePassword.recoverStage1(otherSeed, answer, stored)).isNull();
        assertThat(NativePassword.recoverStage1(seed, new byte[0], stored)).isNull();
        assertThat(NativePassword.recoverStage1(seed, new byte[19], stored)).isNull();
        // the empty password: empty answer, empty hash, an empty stage 1
        assertThat(NativePassword.recoverStage1(seed, new byte[0], new byte[0])).isEmpty();
        assertThat(NativePassword.recoverStage1(seed, answer, new byte[0])).isNull();
    }

    /** What the proxy sends a server from the recovered stage 1 is what a client knowing the password sends. */
    @Test
    void scrambleFromStage1EqualsTheScrambleOfThePassword() throws Exception {
        byte[] clientSeed = new byte[20];
        byte[] serverSeed = new byte[20];
        Random random = new Random(11);
        random.nextBytes(clientSeed);
        random.nextBytes(serverSeed);
        byte[] stored = NativePassword.hashOfHash(SECRET);
        byte[] stage1 = NativePassword.recoverStage1(clientSeed, NativePassword.scramble(SECRET, clientSeed), stored);

        byte[] toServer = NativePassword.scrambleFromStage1(stage1, serverSeed);

        assertThat(toServer).isEqualTo(expected(SECRET, serverSeed));
        assertThat(NativePassword.verify(serverSeed, toServer, stored)).isTrue();
        assertThat(NativePassword.scrambleFromStage1(new byte[0], serverSeed)).isEmpty();
    }
}
