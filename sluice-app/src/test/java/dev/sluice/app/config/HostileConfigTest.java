package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.HostileConfig;
import dev.sluice.proxy.config.ListenerConfig;
import dev.sluice.proxy.hostile.Fault;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code hostile}: the hostile listener for driver authors, off unless {@code hostile.listen} is set. */
class HostileConfigTest {
    /** Three lines: what follows starts at line 4. */
    private static final String BASE =
            yaml("listen: 127.0.0.1:3307", "servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void offByDefault() {
        assertThat(load(BASE).proxy().hostile()).isNull();
        assertThat(load(BASE + yaml("hostile:")).proxy().hostile()).isNull();
        assertThat(load(BASE + yaml("hostile: {seed: 3, faults: [split-bytes]}"))
                        .proxy()
                        .hostile())
                .isNull();
    }

    @Test
    void listenSeedAndFaults() {
        HostileConfig h = load(BASE
                        + yaml(
                                "hostile:",
                                "  listen: 127.0.0.1:3399",
                                "  seed: 42",
                                "  faults: [split-random:8, delay:2, 'err-after-rows:100:1105', reset:rows:10]"))
                .proxy()
                .hostile();
        assertThat(h)
                .isEqualTo(new HostileConfig(
                        new ListenerConfig("127.0.0.1", 3399),
                        42,
                        List.of(
                                Fault.parse("split-random:8"),
                                Fault.parse("delay:2"),
                                new Fault(Fault.Kind.ERR_AFTER_ROWS, 100, 1105),
                                new Fault(Fault.Kind.RESET_ROWS, 10, 0))));
        assertThat(load(BASE + yaml("hostile: {listen: 127.0.0.1:3399, faults: [seq-id:3]}"))
                        .proxy()
                        .hostile()
                        .seed())
                .isZero();
    }

    @Test
    void override() {
        HostileConfig h = load(BASE, "hostile.listen=127.0.0.1:3399", "hostile.faults=[err-after-rows:100, delay:2]")
                .proxy()
                .hostile();
        assertThat(h.faults()).containsExactly(Fault.parse("err-after-rows:100"), Fault.parse("delay:2"));
        assertThat(h.listen()).isEqualTo(new ListenerConfig("127.0.0.1", 3399));
    }

    @Test
    void errors() {
        assertThat(problems(BASE + yaml("hostile:", "  listen: 127.0.0.1:3399")))
                .containsExactly("sluice.yaml:5: hostile.faults: required with hostile.listen (e.g. [split-bytes])");
        assertThat(problems(BASE + yaml("hostile: {listen: 127.0.0.1:3307, faults: [split-bytes]}")))
                .containsExactly(
                        "sluice.yaml:4: hostile.listen: must not be a main listener's address" + " (127.0.0.1:3307)");
        assertThat(problems(BASE + yaml("hostile: {listen: 127.0.0.1:3399, faults: [reset:later]}")))
                .singleElement()
                .asString()
                .startsWith("sluice.yaml:4: hostile.faults[0]: fault 'reset:later': unknown reset state");
        assertThat(problems(BASE + yaml("hostile: {listen: 127.0.0.1:3399, faults: [split-bytes, coalesce]}")))
                .singleElement()
                .asString()
                .contains("hostile.faults: hostile.faults: at most one of split-bytes");
        assertThat(problems(BASE + yaml("hostile: {listen: 127.0.0.1:3399, seed: x, faults: [split-bytes]}")))
                .singleElement()
                .asString()
                .contains("hostile.seed: \"x\" is not a whole number");
    }
}
