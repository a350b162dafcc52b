package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.auth.CachingSha2Password;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RsaKeyCacheTest {
    @Test
    void madeOnceThenLoadedAndStillAWorkingPair(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rsa.der");
        KeyPair first = RsaKeyCache.loadOrCreate(file);
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        KeyPair second = RsaKeyCache.loadOrCreate(file);
        assertThat(second.getPublic()).isEqualTo(first.getPublic());
        assertThat(second.getPrivate()).isEqualTo(first.getPrivate());
        // the loaded pair still does caching_sha2's job: what the public half encrypts, the private half reads
        byte[] seed = "01234567890123456789".getBytes(StandardCharsets.US_ASCII);
        byte[] password = "secret".getBytes(StandardCharsets.UTF_8);
        byte[] sent = CachingSha2Password.encryptPassword(password, seed, (RSAPublicKey) second.getPublic());
        assertThat(CachingSha2Password.decryptPassword(sent, seed, (RSAPrivateKey) second.getPrivate()))
                .isEqualTo(password);
    }

    @Test
    void aDamagedFileIsReplaced(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rsa.der");
        Files.writeString(file, "garbage");
        KeyPair pair = RsaKeyCache.loadOrCreate(file);
        assertThat(RsaKeyCache.loadOrCreate(file).getPublic()).isEqualTo(pair.getPublic());
    }
}
