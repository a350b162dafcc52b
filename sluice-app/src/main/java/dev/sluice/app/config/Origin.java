package dev.sluice.app.config;

import java.nio.file.Path;

/**
 * Where a configuration value came from, so that an error can point at it: a line of a file, or a command-line
 * argument such as {@code --set connect-timeout=2x}.
 *
 * @param source the file name as given, or the command-line argument (passwords already masked)
 * @param line 1-based line in the file, 0 for a command-line argument
 * @param baseDir the directory relative paths in the value are resolved against (the file's directory); null for
 *     command-line values, which are resolved against the working directory
 */
public record Origin(String source, int line, Path baseDir) {
    static Origin file(String name, int line, Path baseDir) {
        return new Origin(name, line, baseDir);
    }

    static Origin argument(String argument) {
        return new Origin(argument, 0, null);
    }

    /** {@code sluice.yaml:7} or {@code --set connect-timeout=2x}. */
    public String describe() {
        return line > 0 ? source + ":" + line : source;
    }

    public boolean isArgument() {
        return line == 0;
    }
}
