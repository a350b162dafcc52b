package dev.sluice.proxy.session;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.proxy.config.ServerConfig;
import dev.sluice.proxy.config.UserConfig;

/**
 * The one place that turns a configured server and user into the options of a server login, so that every
 * connection Sluice opens to a server (a session's, the pool's, the KILL QUERY connection, a COM_CHANGE_USER's
 * authentication) carries the same TLS settings and the same rules for sending the password.
 */
final class ServerLogin {
    private ServerLogin() {}

    /** Host, port, the user's server credentials, TLS and the password rules; callers add the rest. */
    static ConnectOptions.Builder options(ServerConfig server, UserConfig user) {
        ConnectOptions.Builder builder = ConnectOptions.builder(server.host(), server.port());
        if (user.isLoaded()) {
            builder.userWithPasswordSha1(user.serverUser(), user.serverPasswordSha1()); // users-from-server
        } else {
            builder.user(user.serverUser(), user.serverPassword());
        }
        return builder.tls(server.tls())
                .allowCleartextPassword(server.allowCleartextPassword())
                .serverPublicKey(server.serverPublicKey())
                .allowPublicKeyRetrieval(server.allowPublicKeyRetrieval());
    }
}
