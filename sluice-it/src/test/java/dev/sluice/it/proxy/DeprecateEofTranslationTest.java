package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.PreparedStatement;
import dev.sluice.backend.QueryResult;
import dev.sluice.backend.ResultSet;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.ColumnType;
import dev.sluice.protocol.message.client.BoundParameter;
import dev.sluice.protocol.message.client.ComFieldList;
import dev.sluice.protocol.message.server.ColumnDefinition41;
import dev.sluice.protocol.message.server.OkPacket;
import io.netty.channel.EventLoopGroup;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DriverScenarios} through a Sluice that never asks the server for CLIENT_DEPRECATE_EOF while both drivers
 * negotiate it with Sluice: every result set, prepared-statement answer, cursor and OUT-parameter result reaches
 * the drivers only after the relay dropped the server's EOFs and turned its terminators into 0xFE OKs.
 *
 * <p>The codec client checks the translated responses strictly (its decoder knows exactly where EOF or OK must
 * come), with and without DEPRECATE_EOF, including COM_FIELD_LIST, which neither driver sends. A client without
 * DEPRECATE_EOF behind a server with it cannot be produced through ProxyServer today: Sluice asks the server for
 * the client's own capabilities minus the mask, so that direction is only ever a pass-through here.
 */
class DeprecateEofTranslationTest extends DriverScenarios {
    private EventLoopGroup group;
    private ServerConnector connector;

    @Override
    long serverCapabilityMask() {
        return Capability.CLIENT_DEPRECATE_EOF;
    }

    @BeforeAll
    void startCodecClient() {
        Transport transport = Transport.best();
        group = transport.newGroup(1);
        connector = new ServerConnector(group, transport);
    }

    @AfterAll
    void stopCodecClient() {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ParameterizedTest
    @CsvSource({"CONNECTOR_J", "MARIADB"})
    void bothDriversNegotiateDeprecateEofWithSluice(Driver driver) throws Exception {
        // without this the scenarios above would not exercise any translation
        try (Connection c = driver.viaSluice(fixture, "")) {
            assertThat(driver.deprecateEof(c))
                    .as("%s negotiated CLIENT_DEPRECATE_EOF", driver)
                    .isTrue();
        }
    }

    private ServerConnection codec(int port, boolean deprecateEof) {
        return ProxyFixture.codec(connector, port, deprecateEof);
    }

    @ParameterizedTest(name = "client deprecateEof={0}")
    @ValueSource(booleans = {true, false})
    void theCodecClientReadsTheSameResponsesThroughSluice(boolean deprecateEof) {
        List<String> direct;
        try (ServerConnection c = codec(fixture.sandbox.port(), deprecateEof)) {
            assertThat(Capability.has(c.capabilities(), Capability.CLIENT_DEPRECATE_EOF))
                    .isEqualTo(deprecateEof);
            direct = codecScenario(c);
        }
        List<String> proxied;
        try (ServerConnection c = codec(fixture.port(), deprecateEof)) {
            assertThat(Capability.has(c.capabilities(), Capability.CLIENT_DEPRECATE_EOF))
                    .isEqualTo(deprecateEof);
            proxied = codecScenario(c);
        }
        assertThat(proxied).isEqualTo(direct);
        assertThat(proxied)
                .contains(
                        "field: label default NULL",
                        "columns: [id, label, p]",
                        "row: 'a=7 c=7' 21",
                        "status: PS_OUT_PARAMS",
                        "fetched 1000 rows in 143 batches");
    }

    /** Text rows, an empty result, multi-statement results, field list, prepared rows, CALL OUT params, a cursor. */
    private static List<String> codecScenario(ServerConnection c) {
        List<String> out = new ArrayList<>();
        describe(c.querySync("SELECT id, label, amount, at FROM thousand WHERE id <= 3 ORDER BY id"), out);
        describe(c.querySync("SELECT id FROM thousand WHERE id < 0"), out);
        describe(c.querySync("SELECT 1 AS a; SET @x = 2; SELECT @x AS x, NULL AS n; DO 1"), out);
        for (ColumnDefinition41 field : ServerConnection.await(c.command(ComFieldList.of("thousand", "")))
                .resultSet()
                .columns()) {
            out.add("field: " + field.name() + " default "
                    + (field.defaultValue() == null ? "NULL" : HexFormat.of().formatHex(field.defaultValue())));
        }

        PreparedStatement select = c.prepareSync("SELECT id, label, ? AS p FROM thousand WHERE id <= 2 ORDER BY id");
        out.add("prepared: " + select.parameters().size() + " params, "
                + select.columns().size() + " columns");
        describe(c.executeSync(select, List.of(BoundParameter.of(BinaryType.of(ColumnType.LONG), 7L))), out);

        PreparedStatement call = c.prepareSync("CALL p_out(?, ?, ?)");
        describe(
                c.executeSync(
                        call,
                        List.of(
                                BoundParameter.of(BinaryType.of(ColumnType.LONG), 7L),
                                BoundParameter.of(BinaryType.of(ColumnType.NULL), null),
                                BoundParameter.of(BinaryType.of(ColumnType.LONGLONG), 7L))),
                out);
        describe(c.querySync("CALL p_two(7)"), out);

        PreparedStatement cursor = c.prepareSync("SELECT id, label FROM thousand ORDER BY id");
        QueryResult opened = ServerConnection.await(c.executeWithCursor(cursor, List.of()));
        out.add("cursor columns " + opened.resultSet().columns().size() + " rows "
                + opened.resultSet().rows().size() + " exists "
                + ServerStatus.has(opened.resultSet().statusFlags(), ServerStatus.CURSOR_EXISTS));
        List<List<Object>> fetched = new ArrayList<>();
        int batches = 0;
        for (; ; batches++) {
            assertThat(batches).isLessThan(200);
            ResultSet rs = ServerConnection.await(c.fetch(cursor, 7));
            fetched.addAll(rs.rows());
            if (ServerStatus.has(rs.statusFlags(), ServerStatus.LAST_ROW_SENT)) {
                break;
            }
        }
        out.add("fetched " + fetched.size() + " rows in " + (batches + 1) + " batches");
        for (int i = 0; i < fetched.size(); i++) {
            assertThat(fetched.get(i).get(0)).isEqualTo(i + 1L);
        }
        ServerConnection.await(c.closeStatement(cursor));
        describe(c.querySync("SELECT COUNT(*) FROM thousand"), out);
        return out;
    }

    private static void describe(QueryResult r, List<String> out) {
        for (ResultSet rs : r.resultSets()) {
            out.add("columns: "
                    + rs.columns().stream().map(ColumnDefinition41::name).toList());
            for (List<Object> row : rs.rows()) {
                StringBuilder line = new StringBuilder("row:");
                for (Object v : row) {
                    line.append(' ')
                            .append(
                                    v == null
                                            ? "NULL"
                                            : v instanceof byte[] b
                                                    ? "'" + new String(b, java.nio.charset.StandardCharsets.UTF_8) + "'"
                                                    : v.toString());
                }
                out.add(line.toString());
            }
            if (ServerStatus.has(rs.statusFlags(), ServerStatus.PS_OUT_PARAMS)) {
                out.add("status: PS_OUT_PARAMS");
            }
        }
        for (OkPacket ok : r.oks()) {
            out.add("ok: affected " + ok.affectedRows() + " insert id " + ok.lastInsertId() + " warnings "
                    + ok.warnings());
        }
    }
}
