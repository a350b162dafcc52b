package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.pool.PoolMode;
import dev.sluice.proxy.config.HttpConfig;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.routing.RouteReason;
import dev.sluice.proxy.session.PinReason;
import dev.sluice.testkit.MariaDbSandboxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP listener (issue 13): {@code /metrics} scraped while real JDBC traffic goes through Sluice (pool.mode
 * transaction, so statements are routed and pins counted), parsed line by line as the Prometheus text format; the
 * health endpoints; the plain answers to unknown paths and methods.
 */
class MetricsEndpointTest {
    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test")
            .build();

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(db.sandbox(), config());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static ProxyConfig config() {
        return ProxyFixture.withMode(
                        ProxyFixture.config(db.sandbox(), ProxyFixture.NO_TLS, false), PoolMode.TRANSACTION)
                .withHttp(HttpConfig.of("127.0.0.1", 0));
    }

    @Test
    void metricsParseAsPrometheusTextAndCountClientConnections() throws Exception {
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(fixture.mysql(""));
            }
            query(open.get(0), "SELECT 1");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(scrape().value("sluice_client_connections", Map.of()))
                            .isEqualTo(3));

            HttpResponse<String> r = get(fixture, "/metrics", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElseThrow())
                    .startsWith("text/plain")
                    .contains("version=0.0.4");
            Scrape s = Scrape.parse(r.body());
            assertThat(s.types)
                    .containsEntry("sluice_client_connections", "gauge")
                    .containsEntry("sluice_routing_decisions_total", "counter")
                    .containsEntry("sluice_session_pins_total", "counter")
                    .containsEntry("sluice_pinned_sessions_by_reason", "gauge")
                    .containsEntry("sluice_pinned_sessions", "gauge")
                    .containsEntry("sluice_server_connections", "gauge")
                    .containsEntry("sluice_pool_connections_created_total", "counter")
                    .containsEntry("sluice_pool_acquire_waits_total", "counter")
                    .containsEntry("sluice_pool_acquire_timeouts_total", "counter")
                    .containsEntry("sluice_pool_retries_total", "counter")
                    .containsEntry("sluice_writer_wait_statements", "gauge")
                    .containsEntry("sluice_protocol_violations_total", "counter")
                    .containsEntry("sluice_build_info", "gauge");
            // every direction × rule pair, bounded, and none reported for this real traffic
            assertThat(s.samples("sluice_protocol_violations_total"))
                    .hasSize(30)
                    .allSatisfy(v -> assertThat(v.value()).isZero());
            assertThat(s.value("sluice_server_connections", Map.of("server", ProxyFixture.SERVER)))
                    .isGreaterThanOrEqualTo(1);
            assertThat(s.value("sluice_pool_connections_created_total", Map.of("server", ProxyFixture.SERVER)))
                    .isGreaterThanOrEqualTo(1);
            assertThat(s.value("sluice_writer_wait_statements", Map.of())).isZero();
            assertThat(s.samples("sluice_build_info")).singleElement().satisfies(b -> {
                assertThat(b.labels()).containsKey("version");
                assertThat(b.value()).isEqualTo(1);
            });
            Set<String> reasons = new HashSet<>();
            Arrays.stream(PinReason.values()).forEach(p -> reasons.add(p.label()));
            assertThat(s.samples("sluice_session_pins_total"))
                    .hasSize(PinReason.values().length)
                    .allSatisfy(p -> assertThat(reasons).contains(p.labels().get("reason")));
            Set<String> routeReasons = new HashSet<>();
            Arrays.stream(RouteReason.values()).forEach(p -> routeReasons.add(p.label()));
            assertThat(s.samples("sluice_routing_decisions_total")).isNotEmpty().allSatisfy(d -> {
                assertThat(d.labels()).containsOnlyKeys("group", "server", "reason");
                assertThat(d.labels().get("group")).isEqualTo("writer");
                assertThat(d.labels().get("server")).isEqualTo(ProxyFixture.SERVER);
                assertThat(routeReasons).contains(d.labels().get("reason"));
            });

            open.remove(2).close();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(scrape().value("sluice_client_connections", Map.of()))
                            .isEqualTo(2));
        } finally {
            for (Connection c : open) {
                c.close();
            }
        }
    }

    @Test
    void routingAndPinCountersMoveWithStatements() throws Exception {
        Map<String, String> writes = Map.of("group", "writer", "server", ProxyFixture.SERVER, "reason", "write");
        Map<String, String> pins = Map.of("reason", PinReason.TEMPORARY_TABLE.label());
        try (Connection c = fixture.mysql("")) {
            Scrape before = scrape();
            for (int i = 0; i < 5; i++) {
                query(c, "SELECT " + i);
            }
            Scrape afterSelects = scrape();
            assertThat(afterSelects.valueOrZero("sluice_routing_decisions_total", writes)
                            - before.valueOrZero("sluice_routing_decisions_total", writes))
                    .isEqualTo(5);
            assertThat(afterSelects.value("sluice_session_pins_total", pins))
                    .isEqualTo(before.value("sluice_session_pins_total", pins));

            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMPORARY TABLE tmp_metrics (id INT)");
            }
            Scrape pinned = scrape();
            assertThat(pinned.value("sluice_session_pins_total", pins))
                    .isEqualTo(before.value("sluice_session_pins_total", pins) + 1);
            assertThat(pinned.value("sluice_pinned_sessions_by_reason", pins)).isGreaterThanOrEqualTo(1);
            assertThat(pinned.value("sluice_pinned_sessions", Map.of())).isGreaterThanOrEqualTo(1);

            // the next statement runs on the pinned connection: a decision of reason pin
            Map<String, String> kept = Map.of("group", "writer", "server", ProxyFixture.SERVER, "reason", "pin");
            query(c, "SELECT COUNT(*) FROM tmp_metrics");
            assertThat(scrape().valueOrZero("sluice_routing_decisions_total", kept)
                            - pinned.valueOrZero("sluice_routing_decisions_total", kept))
                    .isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(scrape().value("sluice_pinned_sessions_by_reason", pins))
                        .isEqualTo(0));
    }

    @Test
    void openMetricsWhenAsked() throws Exception {
        HttpResponse<String> r = get(fixture, "/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElseThrow()).startsWith("application/openmetrics-text");
        assertThat(r.body()).contains("sluice_client_connections").endsWith("# EOF\n");
    }

    @Test
    void unknownPathsAndMethodsAreRefusedPlainly() throws Exception {
        HttpResponse<String> notFound = get(fixture, "/nope", null);
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).isEqualTo("not found\n");
        assertThat(get(fixture, "/metrics/x", null).statusCode()).isEqualTo(404);

        HttpResponse<String> post = HTTP.send(
                HttpRequest.newBuilder(uri(fixture, "/metrics"))
                        .POST(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");

        HttpResponse<String> head = HTTP.send(
                HttpRequest.newBuilder(uri(fixture, "/health/live"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        HttpResponse<String> tooLarge = HTTP.send(
                HttpRequest.newBuilder(uri(fixture, "/metrics"))
                        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(64 * 1024)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(get(fixture, "/health/live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void readyTurns503WhenTheProxyStopsAcceptingLiveStaysUntilClosed() throws Exception {
        ProxyFixture other = new ProxyFixture(db.sandbox(), config());
        try {
            assertThat(get(other, "/health/ready", null).statusCode()).isEqualTo(200);
            assertThat(get(other, "/health/live", null).statusCode()).isEqualTo(200);
            URI ready = uri(other, "/health/ready");
            int port = other.port();

            other.proxy.stopAccepting(); // the first step of close()
            HttpResponse<String> notReady = get(other, "/health/ready", null);
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).isEqualTo("not ready\n");
            assertThat(get(other, "/health/live", null).statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(
                            "jdbc:mysql://127.0.0.1:" + port + "/test?sslMode=DISABLED&connectTimeout=2000",
                            ProxyFixture.USER,
                            ProxyFixture.PASSWORD))
                    .isInstanceOf(SQLException.class);

            other.close();
            // a client of its own: the shared one may hold a kept-alive connection to the closed listener, and a
            // request sent on it as the close arrives can wait for an answer that never comes
            HttpClient fresh = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            assertThatThrownBy(() -> fresh.send(
                            HttpRequest.newBuilder(ready)
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .as("the listener is closed: the connection is refused")
                    .isInstanceOf(java.net.ConnectException.class);
        } finally {
            other.close();
        }
    }

    private static void query(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                // read to the end
            }
        }
    }

    private static URI uri(ProxyFixture f, String path) {
        return URI.create("http://127.0.0.1:" + f.proxy.httpAddress().getPort() + path);
    }

    private static HttpResponse<String> get(ProxyFixture f, String path, String accept)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(f, path)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Scrape scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = get(fixture, "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return Scrape.parse(r.body());
    }

    record Sample(String name, Map<String, String> labels, double value) {}

    /** One scrape, parsed strictly as the Prometheus text format 0.0.4: any line it cannot read fails the test. */
    static final class Scrape {
        private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
        private static final Pattern SAMPLE =
                Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?");
        private static final Pattern LABEL =
                Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)");
        private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

        final Map<String, String> types = new LinkedHashMap<>();
        final List<Sample> samples = new ArrayList<>();

        static Scrape parse(String text) {
            Scrape s = new Scrape();
            assertThat(text).endsWith("\n");
            for (String line : text.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                Matcher c = COMMENT.matcher(line);
                if (c.matches()) {
                    if (c.group(1).equals("TYPE")) {
                        assertThat(TYPES).as(line).contains(c.group(3));
                        assertThat(s.types.put(c.group(2), c.group(3)))
                                .as("one TYPE per family: " + line)
                                .isNull();
                    }
                    continue;
                }
                assertThat(line).as("a comment other than HELP/TYPE").doesNotStartWith("#");
                Matcher m = SAMPLE.matcher(line);
                assertThat(m.matches()).as("a sample line: " + line).isTrue();
                Map<String, String> labels = new HashMap<>();
                String body = m.group(2);
                if (body != null && !body.isEmpty()) {
                    Matcher l = LABEL.matcher(body);
                    int at = 0;
                    while (l.find() && l.start() == at) {
                        assertThat(labels.put(l.group(1), l.group(2)))
                                .as("label once: " + line)
                                .isNull();
                        at = l.end();
                    }
                    assertThat(at).as("labels of " + line).isEqualTo(body.length());
                }
                String name = m.group(1);
                assertThat(s.types.entrySet())
                        .as("a sample of a declared family: " + line)
                        .anySatisfy(f -> assertThat(ofFamily(name, f.getKey(), f.getValue()))
                                .isTrue());
                s.samples.add(new Sample(name, labels, number(m.group(3))));
            }
            return s;
        }

        /** Whether a sample named {@code name} belongs to family {@code family} of {@code type}. */
        private static boolean ofFamily(String name, String family, String type) {
            if (name.equals(family)) {
                return true;
            }
            List<String> suffixes = switch (type) {
                case "counter" -> List.of("_total", "_created");
                case "histogram" -> List.of("_bucket", "_count", "_sum", "_created");
                case "summary" -> List.of("_count", "_sum", "_created");
                default -> List.of();
            };
            return suffixes.stream().anyMatch(x -> name.equals(family + x));
        }

        private static double number(String v) {
            return switch (v) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(v);
            };
        }

        List<Sample> samples(String name) {
            return samples.stream().filter(x -> x.name().equals(name)).toList();
        }

        /** The value of the one sample of this name and these exact labels. */
        double value(String name, Map<String, String> labels) {
            List<Sample> found = samples.stream()
                    .filter(x -> x.name().equals(name) && x.labels().equals(labels))
                    .toList();
            assertThat(found).as(name + labels).hasSize(1);
            return found.get(0).value();
        }

        /** As {@link #value}, 0 when the series does not exist yet. */
        double valueOrZero(String name, Map<String, String> labels) {
            return samples.stream()
                    .filter(x -> x.name().equals(name) && x.labels().equals(labels))
                    .mapToDouble(Sample::value)
                    .findFirst()
                    .orElse(0);
        }
    }
}
