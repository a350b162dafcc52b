package dev.sluice.proxy.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.auth.CachingSha2Password;
import dev.sluice.proxy.CapabilityPolicy;
import dev.sluice.proxy.config.ClientTlsConfig;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;

class FrontendSettingsTest {
    @Test
    void defaultCapabilities() {
        long caps = CapabilityPolicy.offeredToClients(false);
        assertThat(caps)
                .isEqualTo(
                        0x0000_0000_01FF_A70FL
                        // 0x0000000F: LONG_PASSWORD (= CLIENT_MYSQL), FOUND_ROWS, LONG_FLAG, CONNECT_WITH_DB
                        // 0x0000A700: IGNORE_SPACE, PROTOCOL_41, INTERACTIVE, TRANSACTIONS, SECURE_CONNECTION
                        // 0x000F0000: MULTI_STATEMENTS, MULTI_RESULTS, PS_MULTI_RESULTS, PLUGIN_AUTH
                        // 0x00F00000: CONNECT_ATTRS, PLUGIN_AUTH_LENENC_CLIENT_DATA, CAN_HANDLE_EXPIRED_PASSWORDS,
                        //             SESSION_TRACK
                        // 0x01000000: DEPRECATE_EOF
                        );
        assertThat(Capability.has(caps, Capability.CLIENT_LOCAL_FILES)).isFalse();
        assertThat(Capability.has(CapabilityPolicy.offeredToClients(true), Capability.CLIENT_LOCAL_FILES))
                .isTrue();
        assertThat(Capability.mariadbExtended(caps))
                .as("no MariaDB extensions advertised")
                .isZero();
    }

    @Test
    void sslBitFollowsTheContext() {
        FrontendSettings plain = HandshakeHarness.settings()
                .withCapabilities(CapabilityPolicy.offeredToClients(false) | Capability.CLIENT_SSL);
        assertThat(Capability.has(plain.capabilities(), Capability.CLIENT_SSL)).isFalse();
        SslContext tls = ClientTlsContexts.create(ClientTlsConfig.selfSigned());
        assertThat(Capability.has(plain.withTls(tls, false).capabilities(), Capability.CLIENT_SSL))
                .isTrue();
    }

    @Test
    void invalidSettingsAreRefused() {
        FrontendSettings s = HandshakeHarness.settings();
        assertThatThrownBy(() -> s.withDefaultAuthPlugin("sha256_password"))
                .hasMessageContaining("defaultAuthPlugin: 'sha256_password'");
        assertThatThrownBy(() -> s.withTls(null, true)).hasMessageContaining("tlsRequired");
        assertThatThrownBy(() -> s.withCapabilities(Capability.CLIENT_PROTOCOL_41))
                .hasMessageContaining("PLUGIN_AUTH");
        assertThatThrownBy(() -> s.withMaxPacketSize(10)).hasMessageContaining("maxPacketSize: 10");
        assertThat(s.withDefaultAuthPlugin(CachingSha2Password.PLUGIN_NAME).defaultAuthPlugin())
                .isEqualTo(CachingSha2Password.PLUGIN_NAME);
        // client_ed25519's 32-byte scramble does not fit the greeting: it names mysql_native_password
        FrontendSettings ed25519 = s.withDefaultAuthPlugin("client_ed25519");
        assertThat(ed25519.defaultAuthPlugin()).isEqualTo("client_ed25519");
        assertThat(ed25519.greetingAuthPlugin()).isEqualTo("mysql_native_password");
    }
}
