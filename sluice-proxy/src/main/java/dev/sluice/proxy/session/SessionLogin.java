package dev.sluice.proxy.session;

import dev.sluice.proxy.config.UserConfig;
import java.util.Map;

/**
 * What the client's login established: who it is (the Sluice user), what it negotiated, which schema it
 * asked for. The session opens its server connection from this.
 *
 * @param capabilities negotiated with the client (64-bit, MariaDB extended bits in the high half)
 * @param database null when none was requested
 */
public record SessionLogin(
        long sessionId,
        UserConfig user,
        long capabilities,
        int collationId,
        String database,
        Map<String, String> connectAttributes,
        boolean tls,
        String remoteAddress,
        String authPlugin) {
    public SessionLogin {
        connectAttributes = Map.copyOf(connectAttributes);
    }
}
