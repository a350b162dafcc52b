package dev.sluice.it;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.testkit.MariaDbSandbox;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The codec-built client for tests of one class: one event loop, and connections to a sandbox as root or as
 * any user. Close it in {@code @AfterAll}.
 */
final class CodecClient implements AutoCloseable {
    private final EventLoopGroup group;
    private final ServerConnector connector;

    CodecClient() {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    ServerConnector connector() {
        return connector;
    }

    static ConnectOptions.Builder options(MariaDbSandbox db) {
        return ConnectOptions.builder(db.host(), db.port())
                .user(db.rootUser(), db.rootPassword())
                .connectTimeout(Duration.ofSeconds(10));
    }

    ServerConnection root(MariaDbSandbox db) {
        return connect(db, b -> b);
    }

    ServerConnection connect(MariaDbSandbox db, UnaryOperator<ConnectOptions.Builder> customise) {
        return ServerConnection.await(
                connector.connect(customise.apply(options(db)).build()));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
