package dev.sluice.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.it.proxy.ProxyFixture;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The live status page in a real browser (Debian's headless Chromium) against a running Sluice with traffic: the
 * rendered DOM has the top statements with their percentiles, the charts drawn from the history, the servers, pools
 * and sessions tables filled from /api, and the pinned session highlighted with its reason. A screenshot is written to
 * target/ (docs/status-page.png is one made this way).
 */
class StatusPageTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql(
                    "CREATE DATABASE test",
                    "CREATE TABLE test.orders (id int PRIMARY KEY, total int)",
                    "INSERT INTO test.orders VALUES (1, 10), (2, 20), (3, 30)")
            .build();

    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        ProxyConfig config = ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.TRANSACTION)
                .withHttp(HttpConfig.of("127.0.0.1", 0));
        fixture = new ProxyFixture(db.sandbox(), config);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private String page() {
        return "http://127.0.0.1:" + fixture.proxy.httpAddress().getPort() + "/";
    }

    @Test
    void theRenderedPageShowsStatementsChartsAndSessions() throws Exception {
        try (Connection pinned = fixture.mariadb("");
                Connection busy = fixture.mysql("")) {
            // a temporary table pins its session to its server connection
            execute(pinned, "CREATE TEMPORARY TABLE test.scratch (id int)");
            for (int i = 0; i < 40; i++) {
                query(busy, "SELECT total FROM test.orders WHERE id = " + (i % 3 + 1));
            }
            String dom = HeadlessChromium.dumpDom(page(), 5000);
            Files.writeString(Path.of("target", "status-page.html"), dom);

            assertThat(dom).contains("<title>Sluice status</title>");
            assertThat(section(dom, "digests")).contains("data-state=\"ok\"");
            assertThat(dom).contains("select total from test.orders where id = ?");
            assertThat(rowOf(dom, "select total from test.orders where id = ?"))
                    .as("the digest's row: its count")
                    .contains(">40<");
            assertThat(dom).containsPattern("<svg[^>]*id=\"chart-commands\"[^>]*data-points=\"[1-9]");
            assertThat(dom).contains("<polyline points=");
            assertThat(dom).containsPattern("<body[^>]*data-refreshed=\"[1-9]");

            assertThat(section(dom, "servers")).contains("data-state=\"ok\"");
            assertThat(rowOf(dom, "<td>" + ProxyFixture.SERVER + "</td>"))
                    .as("the server's row")
                    .contains(":" + db.sandbox().port() + "</td>");
            assertThat(section(dom, "pools")).contains("data-state=\"ok\"");
            assertThat(section(dom, "sessions")).contains("data-state=\"ok\"").contains("data-rows=\"2\"");
            assertThat(dom)
                    .as("the pinned session highlighted with its reason")
                    .containsPattern("<tr class=\"pinned\" title=\"pinned: [^\"]*temporary[^\"]*\"");
            assertThat(dom.split("<tr class=\"pinned\"", -1))
                    .as("one pinned row: the other session is not")
                    .hasSize(2);
        }
    }

    @Test
    void aScreenshotIsTaken() throws Exception {
        try (Connection c = fixture.mysql("")) {
            for (int i = 0; i < 10; i++) {
                query(c, "SELECT id, total FROM test.orders ORDER BY total DESC LIMIT " + (i + 1));
            }
            Path png = Path.of("target", "status-page.png");
            HeadlessChromium.screenshot(page(), png, 1280, 900, 4000);
            byte[] bytes = Files.readAllBytes(png);
            assertThat(bytes.length).isGreaterThan(10_000);
            assertThat(new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("PNG");
        }
    }

    private static String section(String dom, String id) {
        Matcher m = Pattern.compile("<section[^>]*id=\"" + id + "\"[^>]*>").matcher(dom);
        assertThat(m.find()).as("section " + id).isTrue();
        return m.group();
    }

    /** The table row holding {@code text}. */
    private static String rowOf(String dom, String text) {
        int at = dom.indexOf(text);
        assertThat(at).isNotNegative();
        int start = dom.lastIndexOf("<tr", at);
        int end = dom.indexOf("</tr>", at);
        return dom.substring(start, end);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                // read all
            }
        }
    }
}
