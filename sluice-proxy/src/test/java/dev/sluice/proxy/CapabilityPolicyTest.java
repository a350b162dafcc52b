package dev.sluice.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import org.junit.jupiter.api.Test;

class CapabilityPolicyTest {
    /** What a MariaDB 10.11 server's greeting offers (CLIENT_MYSQL clear, the extended bits in the high half). */
    private static final long MARIADB = 0x0000_001D_BFFF_F7FEL;

    @Test
    void greetingOffersOnlyWhatTheServerHasExceptSsl() {
        long server = MARIADB & ~(Capability.CLIENT_SSL | Capability.CLIENT_SESSION_TRACK);
        long offered = CapabilityPolicy.greeting(server, false);
        assertThat(Capability.has(offered, Capability.CLIENT_SESSION_TRACK)).isFalse();
        assertThat(Capability.has(offered, Capability.CLIENT_MYSQL)).isFalse();
        assertThat(Capability.has(offered, Capability.CLIENT_LOCAL_FILES)).isFalse();
        assertThat(Capability.has(CapabilityPolicy.greeting(server, true), Capability.CLIENT_LOCAL_FILES))
                .isTrue();
        assertThat(Capability.has(
                        CapabilityPolicy.greeting(server | Capability.CLIENT_COMPRESS, false),
                        Capability.CLIENT_COMPRESS))
                .as("never from the server's greeting: Sluice compresses the client's link itself")
                .isFalse();
        assertThat(offered & ~0xFFFF_FFFFL)
                .as("the MariaDB extensions sessions relay")
                .isEqualTo(Capability.MARIADB_CLIENT_PROGRESS
                        | Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS
                        | Capability.MARIADB_CLIENT_EXTENDED_METADATA);
        assertThat(CapabilityPolicy.greeting(server, false) & CapabilityPolicy.REQUIRED)
                .isEqualTo(CapabilityPolicy.REQUIRED);
    }

    @Test
    void compressionIsOfferedExactlyWhenTheConfigurationAllows() {
        long both = Capability.CLIENT_COMPRESS | Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM;
        long offered = CapabilityPolicy.greeting(MARIADB, false);
        assertThat(CapabilityPolicy.withCompression(offered, true) & both).isEqualTo(both);
        assertThat(CapabilityPolicy.withCompression(offered | both, false) & both)
                .isZero();
        assertThat(CapabilityPolicy.withCompression(offered, true) & ~both).isEqualTo(offered);
    }

    @Test
    void sslFollowsTls() {
        long offered = CapabilityPolicy.offeredToClients(false);
        assertThat(Capability.has(CapabilityPolicy.withTls(offered, true), Capability.CLIENT_SSL))
                .isTrue();
        assertThat(Capability.has(
                        CapabilityPolicy.withTls(offered | Capability.CLIENT_SSL, false), Capability.CLIENT_SSL))
                .isFalse();
    }

    @Test
    void serversAreAskedWhatTheClientNegotiatedAndSluiceRelays() {
        long client = CapabilityPolicy.greeting(MARIADB, true) | Capability.CLIENT_SSL | Capability.CLIENT_COMPRESS;
        long asked = new CapabilityPolicy(0).forServer(client);
        assertThat(asked).isEqualTo(client & ~(Capability.CLIENT_SSL | Capability.CLIENT_COMPRESS));
        long older =
                new CapabilityPolicy(Capability.CLIENT_DEPRECATE_EOF | Capability.CLIENT_PROTOCOL_41).forServer(client);
        assertThat(Capability.has(older, Capability.CLIENT_DEPRECATE_EOF)).isFalse();
        assertThat(Capability.has(older, Capability.CLIENT_PROTOCOL_41))
                .as("forced")
                .isTrue();
    }
}
