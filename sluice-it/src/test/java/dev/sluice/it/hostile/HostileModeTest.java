package dev.sluice.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.sluice.backend.ServerConnection;
import dev.sluice.backend.ServerConnector;
import dev.sluice.backend.Transport;
import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.ProxyServer;
import dev.sluice.proxy.config.ClientTlsConfig;
import dev.sluice.proxy.config.HostileConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.hostile.Fault;
import dev.sluice.proxy.hostile.HostileListener;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Every fault of the hostile listener against every real client (both Java drivers, text and binary protocol, and
 * the mariadb CLI), through Sluice to a real MariaDB: what each client did is recorded as the table of
 * docs/HOSTILE.md (written to target/hostile-table.md), and the document must show exactly what was observed.
 * Whatever the fault, no client may ever see wrong data; faults that only cut, hold or delay bytes must leave every
 * client's result correct; an injected ERR must reach every client as that error.
 */
class HostileModeTest {
    private static final long SEED = 14;
    static final String TABLE_START = "<!-- hostile-table:start -->";
    static final String TABLE_END = "<!-- hostile-table:end -->";

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .option("max_allowed_packet", "64M")
            .initSql("CREATE DATABASE test")
            .build();

    /** The table's rows: each fault alone, and whether it runs the large-packet scenario. */
    private static final Map<String, Boolean> FAULTS = new LinkedHashMap<>();

    static {
        FAULTS.put("split-bytes", false);
        FAULTS.put("split-random:7", false);
        FAULTS.put("coalesce:65536", false);
        FAULTS.put("delay:3", false);
        FAULTS.put("split-frames", true);
        FAULTS.put("err-after-rows:100", false);
        FAULTS.put("err-after-rows:100:1105", false);
        FAULTS.put("seq-id:50", false);
        FAULTS.put("reset:greeting", false);
        FAULTS.put("reset:auth", false);
        FAULTS.put("reset:command:1", false);
        FAULTS.put("reset:rows:100", false);
        FAULTS.put("reset:between:1", false);
    }

    @Test
    void everyFaultAgainstEveryClientDoesWhatTheTableSays() throws IOException {
        Map<String, Map<HostileClients, String>> observed = new LinkedHashMap<>();
        StringBuilder details = new StringBuilder("# What each client reported (not compared with the docs)\n\n");
        for (Map.Entry<String, Boolean> fault : FAULTS.entrySet()) {
            Map<HostileClients, String> row = new LinkedHashMap<>();
            try (ProxyServer proxy = start(fault.getKey())) {
                int port = proxy.hostileAddress().getPort();
                for (HostileClients client : HostileClients.values()) {
                    HostileClients.Outcome outcome = client.run(port, fault.getValue());
                    row.put(client, outcome.cell());
                    details.append("- `")
                            .append(fault.getKey())
                            .append("`, ")
                            .append(client.title)
                            .append(": ")
                            .append(outcome.cell())
                            .append(
                                    outcome.detail().isEmpty()
                                            ? ""
                                            : ": " + outcome.detail().replace('\n', ' '))
                            .append('\n');
                }
                assertThat(proxy.violations().total())
                        .as("the validator stays off the hostile listener (its faults are deliberate)")
                        .isZero();
            }
            observed.put(fault.getKey(), row);
        }
        String table = table(observed);
        Path target = Path.of("target", "hostile-table.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, table, StandardCharsets.UTF_8);
        Files.writeString(Path.of("target", "hostile-details.md"), details, StandardCharsets.UTF_8);

        observed.forEach((fault, row) -> row.forEach((client, outcome) ->
                assertThat(outcome).as("%s with %s", client.title, fault).matches("ok|error \\d+|connection lost")));
        for (String harmless : List.of("split-bytes", "split-random:7", "coalesce:65536", "delay:3", "split-frames")) {
            assertThat(observed.get(harmless).values())
                    .as("%s only cuts, holds or delays bytes", harmless)
                    .containsOnly("ok");
        }
        assertThat(observed.get("err-after-rows:100").values()).containsOnly("error 1317");
        assertThat(observed.get("err-after-rows:100:1105").values()).containsOnly("error 1105");
        assertThat(documentedTable())
                .as("docs/HOSTILE.md's table is what this test observed (see target/hostile-table.md)")
                .isEqualTo(table);
    }

    @Test
    void faultsCombineAndTheListenerIsLoudlyLoggedNamingEachAndTheSeed() {
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel() == Level.WARN) {
                    warnings.add(event.getFormattedMessage());
                }
            }
        };
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger(HostileListener.class);
        logger.addAppender(appender);
        try (ProxyServer proxy = ProxyServer.start(ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false)
                .withHostile(new HostileConfig(
                        new ListenerConfig("127.0.0.1", 0),
                        SEED,
                        List.of(
                                Fault.parse("split-random:7"),
                                Fault.parse("delay:1"),
                                Fault.parse("err-after-rows:100")))))) {
            int port = proxy.hostileAddress().getPort();

            assertThat(warnings)
                    .singleElement()
                    .asString()
                    .contains("HOSTILE listener on 127.0.0.1:" + port, "(seed " + SEED + ")")
                    .contains("split-random:7, delay:1, err-after-rows:100:1317");
            assertThat(HostileClients.MARIADB_TEXT.run(port, false).cell()).isEqualTo("error 1317");
            // a cursor's rows come in COM_STMT_FETCH answers of 30: the count goes on across them
            assertThat(HostileClients.MYSQL_BINARY
                            .run(port, false, "useCursorFetch=true&defaultFetchSize=30")
                            .cell())
                    .isEqualTo("error 1317");
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void theMainListenerStaysHonestNextToAHostileOneWhichOffersNoTls() throws SQLException {
        // client TLS on: the main listener offers it, the hostile one does not
        try (ProxyServer proxy = ProxyServer.start(ProxyFixture.config(
                        db.sandbox(), ClientTlsConfig.selfSigned(), false)
                .withHostile(new HostileConfig(
                        new ListenerConfig("127.0.0.1", 0), SEED, List.of(Fault.parse("err-after-rows:100")))))) {
            int main = proxy.addresses().get(0).getPort();
            int hostile = proxy.hostileAddress().getPort();

            for (HostileClients client : HostileClients.values()) {
                assertThat(client.run(main, false).cell()).as(client.title).isEqualTo("ok");
            }
            assertThat(HostileClients.MYSQL_TEXT.run(hostile, false).cell()).isEqualTo("error 1317");
            String tls = "/test?sslMode=trust&connectTimeout=" + HostileClients.DEADLINE_MS;
            try (Connection c = DriverManager.getConnection(
                    "jdbc:mariadb://127.0.0.1:" + main + tls, ProxyFixture.USER, ProxyFixture.PASSWORD)) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThatThrownBy(() -> DriverManager.getConnection(
                            "jdbc:mariadb://127.0.0.1:" + hostile + tls, ProxyFixture.USER, ProxyFixture.PASSWORD))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("ssl");
        }
    }

    @Test
    void aClientChoosesItsOwnFaultsWithTheAttributeSluiceHostileOrAfterItsUserName() {
        try (ProxyServer proxy = start("split-random:7")) {
            int port = proxy.hostileAddress().getPort();

            assertThat(HostileClients.MYSQL_TEXT.run(port, false).cell()).isEqualTo("ok");
            assertThat(HostileClients.MYSQL_TEXT
                            .run(port, false, "connectionAttributes=sluice_hostile:err-after-rows:5")
                            .cell())
                    .isEqualTo("error 1317");
            assertThat(HostileClients.MYSQL_BINARY
                            .run(port, false, "connectionAttributes=sluice_hostile:err-after-rows:5:1105+delay:1")
                            .cell())
                    .isEqualTo("error 1105");
            assertThat(HostileClients.MARIADB_TEXT
                            .run(port, false, "connectionAttributes=sluice_hostile:reset:rows:10")
                            .cell())
                    .isEqualTo("connection lost");
            // clients that cannot set attributes put the faults after the user name
            assertThat(HostileClients.CLI
                            .run(port, false, "", "app+err-after-rows:5")
                            .cell())
                    .isEqualTo("error 1317");
            assertThat(HostileClients.MYSQL_TEXT
                            .run(port, false, "", "app+err-after-rows:5:1105+split-bytes")
                            .cell())
                    .isEqualTo("error 1105");
            // a choice that is not one is ignored (and logged): the listener's own faults apply
            assertThat(HostileClients.MARIADB_BINARY
                            .run(port, false, "connectionAttributes=sluice_hostile:reset:later")
                            .cell())
                    .isEqualTo("ok");
        }
    }

    @Test
    void theSequenceIdFaultReallyStampsTheNthPacketWrongAsAClientThatChecksSeesIt() {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        try (ProxyServer proxy = start("seq-id:50")) {
            ServerConnection codec = ProxyFixture.codec(
                    new ServerConnector(group, transport),
                    proxy.hostileAddress().getPort(),
                    true);

            // the response: column count, two definitions, then rows; its 50th packet is row 47
            assertThatThrownBy(() -> codec.querySync(HostileClients.ROWS_QUERY.replace("?", "0")))
                    .hasStackTraceContaining("sequence id: got 51 (expected: 50)");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static ProxyServer start(String fault) {
        return ProxyServer.start(ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false)
                .withHostile(new HostileConfig(new ListenerConfig("127.0.0.1", 0), SEED, List.of(Fault.parse(fault)))));
    }

    private static String table(Map<String, Map<HostileClients, String>> observed) {
        StringBuilder sb = new StringBuilder("| fault |");
        List<String> rule = new ArrayList<>(List.of("---"));
        for (HostileClients client : HostileClients.values()) {
            sb.append(' ').append(client.title).append(" |");
            rule.add("---");
        }
        sb.append("\n|").append(String.join("|", rule)).append("|\n");
        observed.forEach((fault, row) -> {
            sb.append("| `").append(fault).append("` |");
            row.values().forEach(outcome -> sb.append(' ').append(outcome).append(" |"));
            sb.append('\n');
        });
        return sb.toString();
    }

    /** The table between the markers of docs/HOSTILE.md. */
    private static String documentedTable() throws IOException {
        Path doc = Path.of("..", "docs", "HOSTILE.md");
        if (!Files.exists(doc)) {
            return "(no docs/HOSTILE.md)";
        }
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf(TABLE_START);
        int end = text.indexOf(TABLE_END);
        if (start < 0 || end < start) {
            return "(no table markers in docs/HOSTILE.md)";
        }
        return text.substring(start + TABLE_START.length(), end).strip() + "\n";
    }
}
