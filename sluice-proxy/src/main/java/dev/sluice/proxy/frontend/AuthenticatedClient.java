package dev.sluice.proxy.frontend;

import dev.sluice.protocol.wire.PacketSequence;
import dev.sluice.proxy.config.UserConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A client that completed the connection phase, and what its login established for the session: fired by {@link
 * ClientHandshakeHandler} as a user event (after the final OK was written and the sequence reset for the first
 * command); the session opens its server connection from it.
 *
 * @param sessionId Sluice's id for this client, as sent in the greeting (what the client sees as its
 *     CONNECTION_ID() and uses in KILL)
 * @param user the configured user the client proved to be
 * @param capabilities negotiated: the client's flags AND the advertised ones (64-bit, MariaDB extended bits in the
 *     high half)
 * @param maxPacketSize the client's max packet size from its HandshakeResponse41 (unsigned int&lt;4&gt;)
 * @param collationId the client's character set / collation id
 * @param database the database requested with CLIENT_CONNECT_WITH_DB, or null
 * @param connectAttributes connection attributes in the order sent (last value wins for a duplicate key)
 * @param tls whether the connection switched to TLS
 * @param authPlugin the plugin the client authenticated with
 * @param remoteAddress the client's IP address as text
 * @param sequence the channel's packet sequence (shared by its PacketDecoder and PacketEncoder); already reset
 */
public record AuthenticatedClient(
        long sessionId,
        UserConfig user,
        long capabilities,
        long maxPacketSize,
        int collationId,
        String database,
        Map<String, String> connectAttributes,
        boolean tls,
        String authPlugin,
        String remoteAddress,
        PacketSequence sequence) {

    public AuthenticatedClient {
        Objects.requireNonNull(user, "user");
        connectAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(connectAttributes));
        Objects.requireNonNull(authPlugin, "authPlugin");
        Objects.requireNonNull(sequence, "sequence");
    }
}
