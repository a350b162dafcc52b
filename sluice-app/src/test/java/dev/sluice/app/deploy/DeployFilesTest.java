package dev.sluice.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.app.config.ConfigLoader;
import dev.sluice.app.config.SluiceConfig;
import dev.sluice.app.deploy.DeployTesting.Metrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The files under deploy/ against the product they deploy: every metric the Grafana dashboard and the alert rules use
 * is in a real Sluice's /metrics (with traffic, an error and a monitor, scraped through its HTTP listener); the
 * Kubernetes ConfigMap's configuration is one Sluice loads; the probes ask the paths Sluice answers on the port its
 * configuration listens on; the grace periods outlast shutdown-timeout; the systemd unit reloads with SIGHUP and stops
 * with SIGTERM.
 */
class DeployFilesTest {
    /** Metric names in PromQL: Sluice's, the JVM's and the process's (up and other Prometheus series are not Sluice's). */
    private static final Pattern METRIC = Pattern.compile("\\b((?:sluice|jvm|process)_[a-z0-9_]+)");

    private static final Path DEPLOY = DeployTesting.projectDir().resolve("deploy");
    private static Metrics metrics;

    @BeforeAll
    static void scrapeARealSluice() throws Exception {
        metrics = DeployTesting.scrapeWithTraffic();
    }

    private static Set<String> used(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardUsesExists() throws Exception {
        String dashboard = Files.readString(DEPLOY.resolve("grafana/sluice-dashboard.json"));
        Set<String> names = used(dashboard);
        assertThat(names).as("metrics the dashboard uses").hasSizeGreaterThan(20);
        assertThat(names)
                .allSatisfy(n -> assertThat(metrics.has(n))
                        .as("%s (used by the dashboard) in /metrics", n)
                        .isTrue());
    }

    @Test
    void everyMetricTheAlertsUseExists() throws Exception {
        String alerts = Files.readString(DEPLOY.resolve("prometheus/alerts.yaml"));
        Map<String, Object> rules = yamlMap(alerts);
        assertThat(rules).containsKey("groups");
        Set<String> names = used(alerts);
        assertThat(names).as("metrics the alerts use").hasSizeGreaterThan(8);
        assertThat(names)
                .allSatisfy(n -> assertThat(metrics.has(n))
                        .as("%s (used by an alert) in /metrics", n)
                        .isTrue());
    }

    /** The control: a name Sluice does not export is caught, so the checks above can fail. */
    @Test
    void aMetricThatDoesNotExistIsCaught() {
        assertThat(metrics.has("sluice_statements_per_fortnight_total")).isFalse();
        assertThat(metrics.has("sluice_statement_duration_seconds_bucket")).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKubernetesConfigurationIsOneSluiceLoadsAndTheProbesMatchIt() throws Exception {
        Map<String, Object> configMap = yamlMap(Files.readString(DEPLOY.resolve("kubernetes/configmap.yaml")));
        String sluiceYaml = (String) ((Map<String, Object>) configMap.get("data")).get("sluice.yaml");
        SluiceConfig config =
                new ConfigLoader().yaml("configmap.yaml", sluiceYaml).load();
        assertThat(config.proxy().http()).as("the ConfigMap's http.listen").isNotNull();
        int httpPort = config.proxy().http().listen().port();
        int mysqlPort = config.proxy().listeners().get(0).port();

        Map<String, Object> set = yamlMap(Files.readString(DEPLOY.resolve("kubernetes/statefulset.yaml")));
        Map<String, Object> pod = (Map<String, Object>)
                ((Map<String, Object>) ((Map<String, Object>) set.get("spec")).get("template")).get("spec");
        Map<String, Object> sluice = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) sluice.get("ports")) {
            ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
        }
        assertThat(ports).containsEntry("http", httpPort).containsEntry("mysql", mysqlPort);
        assertThat(probe(sluice, "readinessProbe")).isEqualTo("/health/ready");
        assertThat(probe(sluice, "livenessProbe")).isEqualTo("/health/live");
        assertThat(String.join(" ", (List<String>) sluice.get("args")))
                .as("each pod's instance-id from its ordinal")
                .contains("instance-id");
        Duration shutdown = DeployTesting.defaultShutdownTimeout();
        assertThat(((Integer) pod.get("terminationGracePeriodSeconds")).longValue())
                .as("the grace period outlasts shutdown-timeout")
                .isGreaterThan(shutdown.toSeconds());

        Map<String, Object> pdb = yamlMap(Files.readString(DEPLOY.resolve("kubernetes/poddisruptionbudget.yaml")));
        assertThat(pdb.get("kind")).isEqualTo("PodDisruptionBudget");
        Map<String, Object> service = yamlMap(Files.readString(DEPLOY.resolve("kubernetes/service.yaml")));
        assertThat(service.get("kind")).isEqualTo("Service");
    }

    @Test
    void theSystemdUnitReloadsWithHupAndDrainsOnTerm() throws Exception {
        List<String> unit = Files.readAllLines(DEPLOY.resolve("systemd/sluice.service"));
        assertThat(unit).contains("ExecReload=/bin/kill -HUP $MAINPID", "KillSignal=SIGTERM");
        assertThat(unit).anySatisfy(l -> assertThat(l).startsWith("ExecStart=/opt/sluice/bin/sluice run --config "));
        long stopSeconds = unit.stream()
                .filter(l -> l.startsWith("TimeoutStopSec="))
                .mapToLong(l -> Long.parseLong(l.substring("TimeoutStopSec=".length())))
                .findFirst()
                .orElseThrow();
        assertThat(stopSeconds)
                .isGreaterThan(DeployTesting.defaultShutdownTimeout().toSeconds());
    }

    @SuppressWarnings("unchecked")
    private static String probe(Map<String, Object> container, String name) {
        Map<String, Object> probe = (Map<String, Object>) container.get(name);
        Map<String, Object> get = (Map<String, Object>) probe.get("httpGet");
        assertThat(get.get("port")).isEqualTo("http");
        return (String) get.get("path");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yamlMap(String text) {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }
}
