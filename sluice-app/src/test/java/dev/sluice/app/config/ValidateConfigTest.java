package dev.sluice.app.config;

import static dev.sluice.app.config.ConfigTesting.load;
import static dev.sluice.app.config.ConfigTesting.problems;
import static dev.sluice.app.config.ConfigTesting.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.proxy.config.ValidateConfig.Mode;
import org.junit.jupiter.api.Test;

/** {@code validate}: the strict protocol validator's mode. */
class ValidateConfigTest {
    private static final String BASE = yaml("servers: [{address: h:1}]", "users: [{name: app, password: x}]");

    @Test
    void observeByDefault() {
        assertThat(load(BASE).proxy().validate().mode()).isEqualTo(Mode.OBSERVE);
    }

    @Test
    void everyMode() {
        assertThat(load(BASE + yaml("validate: off")).proxy().validate().mode()).isEqualTo(Mode.OFF);
        assertThat(load(BASE + yaml("validate: Enforce")).proxy().validate().mode())
                .isEqualTo(Mode.ENFORCE);
        assertThat(load(BASE, "validate=off").proxy().validate().mode()).isEqualTo(Mode.OFF);
    }

    @Test
    void anythingElseIsAProblemNamingTheChoices() {
        assertThat(problems(BASE + yaml("validate: strict")))
                .containsExactly("sluice.yaml:3: validate: \"strict\" is not one of off, observe, enforce");
    }
}
