package dev.sluice.app.config;

import dev.sluice.backend.ServerTls;
import dev.sluice.backend.TlsMode;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.auth.RsaPem;
import dev.sluice.proxy.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.List;

/**
 * The keys of one {@code servers[N]} entry that say how far Sluice trusts the link with passwords: {@code tls}
 * and its files, {@code allow-cleartext-password}, {@code server-public-key}, {@code allow-public-key-retrieval}.
 * Files must exist here; whether a CA bundle or client key can be used is checked when the proxy starts.
 */
final class ServerSecurityReader {
    static final List<String> KEYS = List.of(
            "tls",
            "tls-ca",
            "tls-cert",
            "tls-key",
            "allow-cleartext-password",
            "server-public-key",
            "allow-public-key-retrieval");
    static final List<String> TLS_MODES = List.of("disabled", "preferred", "required", "verify-ca", "verify-identity");

    private final ValueReader values;

    ServerSecurityReader(ValueReader values) {
        this.values = values;
    }

    /**
     * The server at {@code name}/{@code address}, of that {@code weight}, with these keys; null when one of them
     * is wrong (a problem).
     */
    ServerConfig read(ConfigNode.Mapping m, String path, String name, HostPort address, int weight) {
        int before = values.problems().size();
        TlsMode mode = TlsMode.fromConfigName(values.choice(m.get("tls"), path + ".tls", TLS_MODES, "preferred"));
        Path ca = values.file(m.get("tls-ca"), path + ".tls-ca");
        Path cert = values.file(m.get("tls-cert"), path + ".tls-cert");
        Path key = values.file(m.get("tls-key"), path + ".tls-key");
        boolean cleartext = values.bool(m, "allow-cleartext-password", path + ".allow-cleartext-password", false);
        RSAPublicKey publicKey = publicKey(m.get("server-public-key"), path + ".server-public-key");
        boolean retrieval = values.bool(m, "allow-public-key-retrieval", path + ".allow-public-key-retrieval", false);
        if (m.get("tls-ca") != null && !mode.verifiesCertificate()) {
            values.problem(
                    ValueReader.originOf(m, "tls-ca"),
                    path + ".tls-ca",
                    "is used only with tls: verify-ca or verify-identity (tls is " + mode.configName() + ")");
        }
        if ((m.get("tls-cert") == null) != (m.get("tls-key") == null)) {
            values.problem(
                    m.origin(),
                    path,
                    "tls-cert and tls-key go together (got only " + (m.get("tls-cert") == null ? "tls-key" : "tls-cert")
                            + ")");
        } else if (m.get("tls-cert") != null && mode == TlsMode.DISABLED) {
            values.problem(ValueReader.originOf(m, "tls-cert"), path + ".tls-cert", "needs TLS (tls is disabled)");
        }
        if (values.problems().size() > before || name == null || address == null) {
            return null;
        }
        return new ServerConfig(
                name,
                address.host(),
                address.port(),
                new ServerTls(mode, ca, cert, key),
                cleartext,
                publicKey,
                retrieval,
                weight);
    }

    private RSAPublicKey publicKey(ConfigNode node, String path) {
        Path file = values.file(node, path);
        if (file == null) {
            return null;
        }
        try {
            return RsaPem.parsePublicKey(Files.readString(file));
        } catch (IOException | ProtocolException e) {
            values.problem(node.origin(), path, file + ": not an RSA public key in PEM (" + e.getMessage() + ")");
            return null;
        }
    }
}
