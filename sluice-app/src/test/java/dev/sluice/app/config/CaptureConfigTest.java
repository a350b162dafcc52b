package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.CaptureConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code capture}: session captures. */
class CaptureConfigTest {
    /** Two lines: what follows starts at line 3. */
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void offByDefault() {
        assertThat(load(BASE).proxy().capture()).isNull();
        assertThat(load(BASE + yaml("capture:")).proxy().capture()).isNull();
    }

    @Test
    void defaultsWithADirectory() {
        SluiceConfig c = load(BASE + yaml("capture: {dir: /tmp/caps}"));
        assertThat(c.proxy().capture()).isEqualTo(CaptureConfig.of(Path.of("/tmp/caps"), false));
        assertThat(c.summary()).endsWith("; captures to /tmp/caps");
    }

    @Test
    void everyKey() {
        SluiceConfig c = load(BASE
                + yaml(
                        "capture:",
                        "  dir: /tmp/caps",
                        "  max-bytes: 10MiB",
                        "  ring-frames: 64",
                        "  ring-bytes: 128KiB",
                        "  frame-bytes: 4KiB",
                        "  on-error: true",
                        "  continuous: {user: app, client: 10.0.0.5}"));
        assertThat(c.proxy().capture())
                .isEqualTo(new CaptureConfig(
                        64, 128 * 1024, 4096, Path.of("/tmp/caps"), 10L << 20, true, "app", "10.0.0.5"));
        assertThat(c.summary()).endsWith("; captures to /tmp/caps (on error) (continuous)");
        assertThat(load(BASE + yaml("capture: {dir: /tmp/caps}"), "capture.on-error=true")
                        .proxy()
                        .capture()
                        .onError())
                .isTrue();
    }

    @Test
    void problemsNameTheKeyAndLine() {
        assertThat(problems(BASE + yaml("capture: {on-error: true}")))
                .containsExactly("sluice.yaml:3: capture.dir: is required (where capture files are written)");
        assertThat(problems(BASE + yaml("capture: {dir: /tmp/c, frame-bytes: 1MiB, ring-bytes: 64KiB}")))
                .anySatisfy(p -> assertThat(p).contains("capture.frame-bytes: is larger than capture.ring-bytes"));
        assertThat(problems(BASE + yaml("capture: {dir: /tmp/c, continuous: {client: db.example.com}}")))
                .anySatisfy(p -> assertThat(p).contains("capture.continuous.client: \"db.example.com\" is not an IP"));
        assertThat(problems(BASE + yaml("capture: {dir: /tmp/c, continuous: {}}")))
                .anySatisfy(p -> assertThat(p).contains("capture.continuous: give user:, client: or both"));
        assertThat(problems(BASE + yaml("capture: {dir: /tmp/c, ring-frame: 3}")))
                .anySatisfy(p -> assertThat(p).contains("ring-frame"));
    }
}
