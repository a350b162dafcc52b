package dev.sluice.it.prepared;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.ServerConnection;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.proxy.session.prepared.PreparedStatements;
import dev.sluice.proxy.session.prepared.StatementPackets;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MariaDB's COM_STMT_BULK_EXECUTE as MariaDB Connector/J sends it ({@code useBulkStmts}), recorded on the wire, then
 * replayed through the prepared-statement component on connections that never saw the driver's prepare: with its
 * types, and without them (Sluice puts the client's last types back).
 */
class BulkAcrossConnectionsTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .initSql("CREATE DATABASE it", "CREATE TABLE it.bulk (id INT PRIMARY KEY, name VARCHAR(20))")
            .build();

    @RegisterExtension
    static RawServers servers = new RawServers();

    /** The packets MariaDB Connector/J sends for a batch of three rows with useBulkStmts. */
    private static List<byte[]> driverBatch() throws Exception {
        try (RecordingRelay relay =
                new RecordingRelay(db.sandbox().host(), db.sandbox().port())) {
            String url = "jdbc:mariadb://127.0.0.1:" + relay.port() + "/it?useBulkStmts=true"
                    + "&useBulkStmtsForInserts=true&useServerPrepStmts=true&sslMode=disable";
            try (Connection c = DriverManager.getConnection(
                            url, db.sandbox().rootUser(), db.sandbox().rootPassword());
                    PreparedStatement ps = c.prepareStatement("INSERT INTO bulk VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "driver" + i);
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).hasSize(3);
            }
            return relay.clientPayloads();
        }
    }

    private static String rows(ServerConnection admin) {
        Object value = admin.querySync("SELECT GROUP_CONCAT(id, ':', name ORDER BY id) FROM it.bulk")
                .resultSet()
                .rows()
                .get(0)
                .get(0);
        return value == null ? null : new String((byte[]) value, StandardCharsets.UTF_8);
    }

    @Test
    void connectorJsBulkRunsOnConnectionsThatNeverSawItsPrepareWithAndWithoutTypes() throws Exception {
        List<byte[]> sent = driverBatch();
        int at = -1;
        for (int i = 0; i < sent.size(); i++) {
            if (sent.get(i).length > 0 && (sent.get(i)[0] & 0xFF) == 0xFA) {
                at = i;
                break;
            }
        }
        assertThat(at).as("a COM_STMT_BULK_EXECUTE among the driver's packets").isPositive();
        byte[] bulk = sent.get(at);
        byte[] prepare = sent.get(at - 1); // pipelined right before it
        assertThat(prepare[0]).isEqualTo((byte) 0x16);
        String sql = new String(prepare, 1, prepare.length - 1, StandardCharsets.UTF_8);
        assertThat(sql).isEqualTo("INSERT INTO bulk VALUES (?, ?)");
        // the layout the rewrites assume: id, flags 128 (SEND_TYPES_TO_SERVER), 2 bytes of type per parameter
        ByteBuf recorded = Unpooled.wrappedBuffer(bulk);
        assertThat(StatementPackets.bulkFlags(recorded)).isEqualTo(StatementPackets.BULK_SEND_TYPES);
        assertThat(StatementPackets.statementId(recorded)).isEqualTo(StatementPackets.LAST_PREPARED);
        byte[] types = StatementPackets.bulkTypes(recorded, 2);
        assertThat(types).isNotNull();

        ServerConnection admin = servers.login(db.sandbox(), "it");
        assertThat(rows(admin)).isEqualTo("1:driver1,2:driver2,3:driver3");
        admin.querySync("DELETE FROM it.bulk");

        RawServer a = servers.raw(db.sandbox(), "it", 16);
        RawServer b = servers.raw(db.sandbox(), "it", 16);
        RawServer c = servers.raw(db.sandbox(), "it", 16);
        PreparedStatements session = new PreparedStatements();
        long id = RawServers.statementId(a.prepare(session, sql));
        // the driver's bytes, "the statement prepared last" meaning the session's: prepared again on B first
        RawServer.Answer onB = b.command(session, Unpooled.wrappedBuffer(bulk.clone()));
        assertThat(onB.err()).isNull();
        OkPacket ok = OkPacket.decode(Unpooled.wrappedBuffer(onB.packets().get(0)), RawServers.CAPS);
        assertThat(ok.affectedRows()).isEqualTo(3);
        assertThat(rows(admin)).isEqualTo("1:driver1,2:driver2,3:driver3");
        admin.querySync("DELETE FROM it.bulk");

        // the same rows without types (flags 0), by the client's id, on C, which has no types for it: Sluice adds them
        byte[] bare = new byte[bulk.length - types.length];
        System.arraycopy(bulk, 0, bare, 0, 7);
        System.arraycopy(bulk, 7 + types.length, bare, 7, bulk.length - 7 - types.length);
        bare[5] = 0;
        bare[6] = 0;
        ByteBuf withoutTypes = Unpooled.wrappedBuffer(bare);
        StatementPackets.setStatementId(withoutTypes, id);
        RawServer.Answer onC = c.command(session, withoutTypes);
        assertThat(onC.err()).isNull();
        assertThat(rows(admin)).isEqualTo("1:driver1,2:driver2,3:driver3");
        assertThat(c.statements.size()).isEqualTo(1);
        assertThat(Arrays.equals(bare, bulk)).isFalse();
    }
}
