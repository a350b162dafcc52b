package dev.sluice.proxy.session.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.SessionTracking;
import dev.sluice.backend.SessionTracking.TrackerDefaults;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.ComQuery;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.message.server.SessionStateChange;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proof of {@link OkRewriter} against MariaDB: for each kind of client (with and without CLIENT_SESSION_TRACK,
 * with and without CLIENT_DEPRECATE_EOF), the same statements run on a direct connection with the client's
 * capabilities and on a Sluice-style connection (CLIENT_SESSION_TRACK forced, Sluice's trackers on, set up as the
 * pool does); every terminal packet of the second, rewritten for the client's {@link ClientTrackerView}, must be
 * byte-identical to the first's. The client also changes its own trackers on the way, and the Sluice side does what
 * the session must do then: read the client's new settings back, learn the new list's order, turn its own trackers
 * on again.
 */
class OkRewriteDifferentialTest {
    private static final String USER = "app";
    private static final String PASSWORD = "app-pw";
    private static final long BASE = Capability.CLIENT_PROTOCOL_41
            | Capability.CLIENT_LONG_FLAG
            | Capability.CLIENT_SECURE_CONNECTION
            | Capability.CLIENT_PLUGIN_AUTH
            | Capability.CLIENT_TRANSACTIONS
            | Capability.CLIENT_MULTI_STATEMENTS
            | Capability.CLIENT_MULTI_RESULTS;

    /** The client's statements; the ones naming session_track_ change the client's own trackers. */
    private static final List<String> STATEMENTS = List.of(
            "SET NAMES latin1",
            "USE other",
            "SET autocommit=0",
            "SET sql_mode='ANSI'",
            "SET @u=1",
            "CREATE TEMPORARY TABLE tt(a INT)",
            "INSERT INTO tt VALUES (1),(2)",
            "SELECT a FROM tt",
            "COMMIT",
            "SET autocommit=1",
            "SET time_zone='+01:00', autocommit=0, character_set_client=utf8mb4, character_set_results=utf8mb4",
            "SET character_set_results=NULL",
            "SET NAMES utf8mb4 COLLATE utf8mb4_bin",
            "SET sql_mode=DEFAULT; SELECT 1; SET time_zone=DEFAULT",
            "SET session_track_system_variables='time_zone,sql_mode,autocommit'",
            "SET time_zone='+02:00', sql_mode='ANSI_QUOTES', autocommit=1",
            "SET session_track_state_change=ON",
            "SET @v=2",
            "SET session_track_schema=OFF",
            "USE test",
            "SET session_track_system_variables='*'",
            "SET wait_timeout=100, time_zone='+03:00'",
            "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(USER, PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE DATABASE other")
            .build();

    static Stream<Arguments> clients() {
        return Stream.of(
                Arguments.of(
                        "session track, deprecate eof",
                        BASE | Capability.CLIENT_SESSION_TRACK | Capability.CLIENT_DEPRECATE_EOF),
                Arguments.of("session track, eof", BASE | Capability.CLIENT_SESSION_TRACK),
                Arguments.of("no session track, deprecate eof", BASE | Capability.CLIENT_DEPRECATE_EOF),
                Arguments.of("no session track, eof", BASE));
    }

    private static RawMariaDb connect(long capabilities) {
        return RawMariaDb.login(db.sandbox().host(), db.sandbox().port(), USER, PASSWORD, "test", capabilities);
    }

    /** A connection as Sluice's pool opens it, and what the session keeps of its client. */
    private static final class SluiceSide {
        final RawMariaDb connection;
        final long capabilities;
        ClientTrackerView view;

        SluiceSide(long clientCapabilities) {
            capabilities = clientCapabilities | Capability.CLIENT_SESSION_TRACK;
            connection = connect(capabilities);
            List<String> order = probeOrder("@@global.session_track_system_variables");
            connection.query(SessionTracking.TRACKERS_ON);
            String[] global = db.sandbox()
                    .execute("SELECT " + SessionTracking.GLOBAL_DEFAULTS_COLUMNS)
                    .strip()
                    .split("\t");
            view = ClientTrackerView.atLogin(
                    clientCapabilities,
                    new TrackerDefaults(global[0].equals("1"), global[1].equals("1"), global[2], global[3], order));
        }

        /** The order of the list in place now, or of {@code list} once put in place. */
        List<String> probeOrder(String list) {
            List<ComQuery> probe =
                    list == null ? List.of(SessionTracking.orderProbe()) : SessionTracking.orderProbe(list);
            if (probe.size() > 1) {
                connection.query(probe.get(0).sql());
            }
            try {
                RawMariaDb.Terminal ok =
                        connection.query(probe.get(probe.size() - 1).sql()).get(0);
                return OkPacket.decode(Unpooled.wrappedBuffer(ok.payload()), capabilities)
                        .sessionStateChanges()
                        .stream()
                        .filter(c -> c.type() == SessionStateChange.SYSTEM_VARIABLES)
                        .map(ClientTrackerView::variableName)
                        .toList();
            } catch (AssertionError e) {
                return List.of(); // '*' or an empty list: no order to learn
            }
        }

        List<String> run(String sql) {
            boolean trackers = sql.toLowerCase(Locale.ROOT).contains("session_track_");
            ClientTrackerView rewriteFor = view;
            if (trackers) {
                connection.query(view.applyStatement()); // pipelined before the client's statement
                rewriteFor = view.asReported();
            }
            List<String> out = new ArrayList<>();
            for (RawMariaDb.Terminal t : connection.query(sql)) {
                if (!t.ok()) {
                    out.add(ByteBufUtil.hexDump(t.payload()));
                    continue;
                }
                ByteBuf in = Unpooled.wrappedBuffer(t.payload());
                ByteBuf rewritten = OkRewriter.rewrite(in, rewriteFor, UnpooledByteBufAllocator.DEFAULT);
                out.add(ByteBufUtil.hexDump(rewritten));
            }
            if (trackers) {
                List<String> values = connection.row(SessionTracking.SESSION_VALUES);
                List<String> order = probeOrder(null); // the client's list is still in place
                System.out.println("ok-rewrite: client trackers " + values + ", order " + order);
                view = view.withSessionValues(
                        values.get(0).equals("1"), values.get(1).equals("1"), values.get(2), values.get(3), order);
                connection.query(SessionTracking.TRACKERS_ON);
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clients")
    void rewrittenOksAreByteIdenticalToDirectOnes(String name, long capabilities) {
        try (RawMariaDb direct = connect(capabilities)) {
            SluiceSide sluice = new SluiceSide(capabilities);
            try {
                int rewritten = 0;
                for (String sql : STATEMENTS) {
                    List<String> expected = direct.query(sql).stream()
                            .map(t -> ByteBufUtil.hexDump(t.payload()))
                            .toList();
                    List<String> actual = sluice.run(sql);
                    System.out.printf("ok-rewrite %s: %-70s direct %s%n", name, sql, expected);
                    assertThat(actual)
                            .as(name + ": " + sql + " (view " + sluice.view + ")")
                            .isEqualTo(expected);
                    rewritten++;
                }
                assertThat(rewritten).isEqualTo(STATEMENTS.size());
            } finally {
                sluice.connection.close();
            }
        }
    }
}
