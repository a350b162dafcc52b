package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCacheTest {
    @Test
    void generatedOnceThenLoadedFromTheCache(@TempDir Path dir) throws Exception {
        ClientTlsContexts.SelfSigned first = ClientTlsContexts.selfSignedIn(dir);
        Path cert = dir.resolve("self-signed-cert.pem");
        Path key = dir.resolve("self-signed-key.pem");
        assertThat(cert).isRegularFile();
        assertThat(Files.getPosixFilePermissions(key))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        FileTime written = Files.getLastModifiedTime(cert);

        ClientTlsContexts.SelfSigned second = ClientTlsContexts.selfSignedIn(dir);
        assertThat(second.certificate()).isEqualTo(first.certificate());
        assertThat(Files.getLastModifiedTime(cert)).isEqualTo(written);
        assertThat(second.context().isServer()).isTrue();
    }

    @Test
    void aDamagedCacheIsReplaced(@TempDir Path dir) throws Exception {
        ClientTlsContexts.SelfSigned first = ClientTlsContexts.selfSignedIn(dir);
        Files.writeString(dir.resolve("self-signed-cert.pem"), "not a certificate");
        ClientTlsContexts.SelfSigned second = ClientTlsContexts.selfSignedIn(dir);
        assertThat(second.certificate()).isNotEqualTo(first.certificate());
        assertThat(Files.readString(dir.resolve("self-signed-cert.pem"))).startsWith("-----BEGIN CERTIFICATE-----");
    }
}
