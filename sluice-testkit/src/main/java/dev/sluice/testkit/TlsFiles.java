package dev.sluice.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A throwaway CA with a server and a client certificate, made by the {@code openssl} CLI (Debian's openssl 3):
 * P-256 EC keys (a few milliseconds each, where RSA-2048 takes tens), PEM files, keys unencrypted in PKCS#8. The
 * server certificate names IP 127.0.0.1 and DNS localhost, so clients can verify it against {@link #caCert()}.
 * Proxy tests can reuse the same files for Sluice's own TLS listener.
 */
public record TlsFiles(Path caCert, Path caKey, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {

    private static final String CONFIG = """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = placeholder
            [v3_ca]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            [v3_server]
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1, DNS:localhost
            [v3_client]
            basicConstraints = CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth
            """;

    /** Makes a new CA, server and client certificate in {@code dir} (created if needed). */
    public static TlsFiles generate(Path dir) {
        Path openssl = MariaDbInstall.openssl();
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("openssl.cnf");
            Files.writeString(config, CONFIG);
            TlsFiles files = new TlsFiles(
                    dir.resolve("ca.pem"),
                    dir.resolve("ca-key.pem"),
                    dir.resolve("server-cert.pem"),
                    dir.resolve("server-key.pem"),
                    dir.resolve("client-cert.pem"),
                    dir.resolve("client-key.pem"));
            List<String> ca = command(openssl, "req", "-x509", "-config", config.toString(), "-extensions", "v3_ca");
            ca.addAll(newKey(files.caKey()));
            ca.addAll(List.of("-out", files.caCert().toString(), "-days", "3650", "-subj", "/CN=Sluice sandbox CA"));
            Processes.check(ca, Duration.ofSeconds(30));
            sign(openssl, config, files, "v3_server", "/CN=localhost", files.serverKey(), files.serverCert(), 2);
            sign(openssl, config, files, "v3_client", "/CN=sluice-client", files.clientKey(), files.clientCert(), 3);
            return files;
        } catch (IOException e) {
            throw new SandboxException("cannot write TLS files in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void sign(
            Path openssl, Path config, TlsFiles ca, String section, String subject, Path key, Path cert, int serial) {
        Path csr = cert.resolveSibling(section + ".csr");
        List<String> request = command(openssl, "req", "-new", "-config", config.toString());
        request.addAll(newKey(key));
        request.addAll(List.of("-out", csr.toString(), "-subj", subject));
        Processes.check(request, Duration.ofSeconds(30));
        Processes.check(
                command(
                        openssl,
                        "x509",
                        "-req",
                        "-in",
                        csr.toString(),
                        "-CA",
                        ca.caCert().toString(),
                        "-CAkey",
                        ca.caKey().toString(),
                        "-set_serial",
                        Integer.toString(serial),
                        "-days",
                        "3650",
                        "-extfile",
                        config.toString(),
                        "-extensions",
                        section,
                        "-out",
                        cert.toString()),
                Duration.ofSeconds(30));
    }

    private static List<String> newKey(Path key) {
        return List.of(
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString());
    }

    private static List<String> command(Path openssl, String... args) {
        List<String> command = new ArrayList<>();
        command.add(openssl.toString());
        command.addAll(List.of(args));
        return command;
    }
}
