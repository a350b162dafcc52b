package dev.sluice.app.config;

import java.util.List;

/**
 * The configuration cannot be used. Carries every problem found (each one names where it came from, the key path
 * and what was expected), so a user fixes them all in one go instead of one per start.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String problem) {
        this(List.of(problem));
    }

    /** One line per problem, in the order they were found (file order, then command-line order). */
    public List<String> problems() {
        return problems;
    }
}
