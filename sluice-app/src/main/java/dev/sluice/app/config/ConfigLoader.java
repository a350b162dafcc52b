package dev.sluice.app.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the configuration from its layers, in this order: the YAML file (optional), the quick-start flags
 * ({@code --listen}, {@code --backend}, {@code --user}, each replacing its whole section), then every
 * {@code --set KEY=VALUE} in command-line order. Then validates it all at once.
 *
 * <pre>{@code
 * SluiceConfig config = new ConfigLoader().file(Path.of("sluice.yaml")).set(List.of("connect-timeout=2s")).load();
 * }</pre>
 */
public final class ConfigLoader {
    private Path file;
    private String yamlName;
    private String yamlText;
    private final List<String> listen = new ArrayList<>();
    private final List<String> backends = new ArrayList<>();
    private final List<String> users = new ArrayList<>();
    private final List<String> sets = new ArrayList<>();

    /** A YAML file, read by {@link #load()}; relative paths inside it are relative to its directory. */
    public ConfigLoader file(Path file) {
        this.file = file;
        this.yamlText = null;
        return this;
    }

    /** YAML text under a name used in messages (tests, or configuration from elsewhere). */
    public ConfigLoader yaml(String name, String text) {
        this.yamlName = name;
        this.yamlText = text;
        this.file = null;
        return this;
    }

    public ConfigLoader listen(List<String> addresses) {
        listen.addAll(addresses);
        return this;
    }

    public ConfigLoader backends(List<String> addresses) {
        backends.addAll(addresses);
        return this;
    }

    /** {@code NAME:PASSWORD} entries. */
    public ConfigLoader users(List<String> users) {
        this.users.addAll(users);
        return this;
    }

    /** {@code KEY=VALUE} entries. */
    public ConfigLoader set(List<String> overrides) {
        sets.addAll(overrides);
        return this;
    }

    /** The validated configuration, or a {@link ConfigException} listing every problem. */
    public SluiceConfig load() {
        ConfigNode.Mapping root;
        if (file != null) {
            Path dir = file.toAbsolutePath().getParent();
            root = YamlReader.read(file.toString(), read(file), dir);
        } else if (yamlText != null) {
            root = YamlReader.read(yamlName, yamlText, null);
        } else {
            root = new ConfigNode.Mapping(Origin.argument("command line"));
        }
        Overrides.listen(root, listen);
        Overrides.backends(root, backends);
        List<String> argumentProblems = new ArrayList<>();
        Overrides.users(root, users, argumentProblems);
        for (String set : sets) {
            Overrides.set(root, set, argumentProblems);
        }
        return ConfigBinder.bind(root, argumentProblems);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }
}
