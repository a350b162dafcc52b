package dev.sluice.app.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

/** Shared helpers: load YAML text named sluice.yaml, or collect the problems it produces. */
final class ConfigTesting {
    private ConfigTesting() {}

    static SluiceConfig load(String yaml, String... sets) {
        return new ConfigLoader().yaml("sluice.yaml", yaml).set(List.of(sets)).load();
    }

    static List<String> problems(String yaml, String... sets) {
        return problems(new ConfigLoader().yaml("sluice.yaml", yaml).set(List.of(sets)));
    }

    static List<String> problems(ConfigLoader loader) {
        ConfigException[] caught = new ConfigException[1];
        assertThatThrownBy(() -> {
                    try {
                        loader.load();
                    } catch (ConfigException e) {
                        caught[0] = e;
                        throw e;
                    }
                })
                .isInstanceOf(ConfigException.class);
        return caught[0].problems();
    }

    /** A YAML document from lines, so tests can count lines as the file has them. */
    static String yaml(String... lines) {
        return String.join("\n", lines) + "\n";
    }
}
