package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.compress.Compression;
import dev.sluice.proxy.config.CompressionConfig;
import org.junit.jupiter.api.Test;

/** {@code compression}: the compressed protocol towards clients and towards servers. */
class CompressionConfigTest {
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void defaultsOfferItToClientsAndDoNotAskServers() {
        assertThat(load(BASE).proxy().compression()).isEqualTo(new CompressionConfig(true, null, 0));
        assertThat(load(BASE + yaml("compression:")).proxy().compression()).isEqualTo(CompressionConfig.defaults());
    }

    @Test
    void everyKeyAndOverrides() {
        assertThat(load(BASE + yaml("compression: {clients: false, servers: zstd, level: 19}"))
                        .proxy()
                        .compression())
                .isEqualTo(new CompressionConfig(false, Compression.ZSTD, 19));
        assertThat(load(BASE + yaml("compression: {servers: zlib}")).summary())
                .contains("; compression to clients offered, to servers zlib");
        assertThat(load(BASE).summary()).doesNotContain("compression");
        assertThat(load(BASE, "compression.servers=zlib", "compression.level=1")
                        .proxy()
                        .compression())
                .isEqualTo(new CompressionConfig(true, Compression.ZLIB, 1));
    }

    @Test
    void errorsNameTheKeyAndTheLine() {
        assertThat(problems(BASE + yaml("compression: {servers: lz4}")))
                .containsExactly("sluice.yaml:3: compression.servers: \"lz4\" is not one of off, zlib, zstd");
        assertThat(problems(BASE + yaml("compression:", "  servers: zlib", "  level: 12")))
                .containsExactly(
                        "sluice.yaml:5: compression.level: 12 is not a zlib level (1..9, or 0 for its default)");
        assertThat(problems(BASE + yaml("compression: {client: true}")))
                .containsExactly("sluice.yaml:3: compression: unknown key 'client' (did you mean 'clients'?)");
    }
}
