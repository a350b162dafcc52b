package dev.sluice.it.prepared;

import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ClientCommand;
import dev.sluice.protocol.message.client.ComStmtExecute;
import dev.sluice.proxy.session.prepared.StatementContext;
import dev.sluice.proxy.session.prepared.StatementPackets;
import dev.sluice.testkit.MariaDbSandbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Logged-in connections to a sandbox for the tests of one class (one event loop), closed after each test, and the
 * packets those tests send. Register as a static extension.
 */
final class RawServers implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    /**
     * What a session's server connection has with a modern driver as client: protocol 4.1, DEPRECATE_EOF, session
     * tracking, multi-results, and MariaDB's bulk operations (COM_STMT_BULK_EXECUTE needs them).
     */
    static final long CAPS = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_MULTI_RESULTS
            | Capability.CLIENT_PS_MULTI_RESULTS
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
            | Capability.CLIENT_SESSION_TRACK
            | Capability.CLIENT_DEPRECATE_EOF
            | Capability.MARIADB_CLIENT_STMT_BULK_OPERATIONS;

    private EventLoopGroup group;
    private ServerConnector connector;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    ServerConnection login(MariaDbSandbox db, String database) {
        ServerConnection c = ServerConnection.await(connector.connect(ConnectOptions.builder(db.host(), db.port())
                .user(db.rootUser(), db.rootPassword())
                .database(database)
                .capabilities(CAPS)
                .connectTimeout(Duration.ofSeconds(10))
                .build()));
        opened.add(c);
        return c;
    }

    RawServer raw(MariaDbSandbox db, String database, int limit) {
        return raw(db, limit, true, StatementContext.of(database));
    }

    /** A connection in {@code context}'s database (its settings as they are: the caller sets them). */
    RawServer raw(MariaDbSandbox db, int limit, boolean lastPreparedId, StatementContext context) {
        RawServer r = new RawServer(login(db, context.database()), limit, lastPreparedId, context);
        opened.add(r);
        return r;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        opened.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        afterEach(context);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static ByteBuf encode(ClientCommand command) {
        ByteBuf out = Unpooled.buffer();
        command.encode(out, CAPS);
        return out;
    }

    /** COM_STMT_EXECUTE of {@code values} (Long: BIGINT, String: VARCHAR), types sent when {@code bound}. */
    static ByteBuf execute(long id, int flags, boolean bound, Object... values) {
        List<BoundParameter> params = new ArrayList<>();
        for (Object v : values) {
            BinaryType type = v instanceof Long
                    ? new BinaryType(ColumnType.LONGLONG, false)
                    : new BinaryType(ColumnType.VAR_STRING, false);
            params.add(new BoundParameter(type, "", v instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : v));
        }
        return encode(new ComStmtExecute(id, flags, 1, bound, params));
    }

    /** The statement id of a PREPARE_OK answer. */
    static long statementId(RawServer.Answer prepareAnswer) {
        return StatementPackets.statementId(
                Unpooled.wrappedBuffer(prepareAnswer.packets().get(0)));
    }

    /** The last row of a one-result answer (before its terminal packet), as text. */
    static String lastRow(RawServer.Answer answer) {
        return new String(answer.packets().get(answer.packets().size() - 2), StandardCharsets.UTF_8);
    }
}
