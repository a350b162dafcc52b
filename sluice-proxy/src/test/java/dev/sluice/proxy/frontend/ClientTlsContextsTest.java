package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.proxy.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientTlsContextsTest {
    @TempDir
    Path dir;

    @Test
    void disabledIsNull() {
        assertThat(ClientTlsContexts.create(new ClientTlsConfig(false, null, null, false)))
                .isNull();
    }

    @Test
    void selfSignedIsAServerContext() {
        SslContext context = ClientTlsContexts.create(ClientTlsConfig.selfSigned());
        assertThat(context.isServer()).isTrue();
    }

    @Test
    void theSelfSignedPairIsMadeOncePerProcess() {
        SslContext first = ClientTlsContexts.create(ClientTlsConfig.selfSigned());
        assertThat(ClientTlsContexts.create(ClientTlsConfig.selfSigned())).isSameAs(first);
    }

    @Test
    void pemFilesFromOpenssl() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder(List.of(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "ec",
                        "-pkeyopt",
                        "ec_paramgen_curve:P-256",
                        "-nodes",
                        "-keyout",
                        key.toString(),
                        "-out",
                        cert.toString(),
                        "-days",
                        "1",
                        "-subj",
                        "/CN=sluice-test"))
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        SslContext context = ClientTlsContexts.create(new ClientTlsConfig(true, cert, key, true));
        assertThat(context.isServer()).isTrue();

        // The fingerprint format matches `openssl x509 -fingerprint -sha256`.
        Process fp = new ProcessBuilder("openssl", "x509", "-in", cert.toString(), "-noout", "-fingerprint", "-sha256")
                .start();
        String line = new String(fp.getInputStream().readAllBytes()).trim();
        assertThat(fp.waitFor(30, TimeUnit.SECONDS)).isTrue();
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(cert)));
        assertThat(line).endsWith("=" + ClientTlsContexts.fingerprint(x509));
    }

    @Test
    void unusableFilesNameThePaths() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("key.pem"), "not a key");
        assertThatThrownBy(() -> ClientTlsContexts.create(new ClientTlsConfig(true, cert, key, false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tls: cannot use certificate " + cert)
                .hasMessageContaining(key.toString());
    }
}
