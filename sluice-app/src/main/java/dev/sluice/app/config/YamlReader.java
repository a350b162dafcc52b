package dev.sluice.app.config;

import java.nio.file.Path;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * YAML text to a {@link ConfigNode} tree. Uses snakeyaml-engine's composer (not its constructor) so that every
 * value keeps its line, and so that no YAML tag can make the parser build arbitrary objects. Scalars stay text:
 * the binder decides what a value means from the key it belongs to ({@code tls: off} is not a boolean there).
 */
final class YamlReader {
    private static final int MAX_CODE_POINTS = 1 << 20;

    private YamlReader() {}

    /** Parses one YAML document; an empty document is an empty mapping. */
    static ConfigNode.Mapping read(String name, String text, Path baseDir) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(name)
                .setUseMarks(true)
                .setCodePointLimit(MAX_CODE_POINTS)
                .setMaxAliasesForCollections(10)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark()
                    .or(e::getContextMark)
                    .map(m -> m.getLine() + 1)
                    .orElse(0);
            String what = e.getProblem() == null ? e.getContext() : e.getProblem();
            throw new ConfigException(location(name, line) + ": invalid YAML: " + what);
        } catch (YamlEngineException e) {
            throw new ConfigException(name + ": invalid YAML: " + e.getMessage());
        }
        if (root.isEmpty()) {
            return new ConfigNode.Mapping(Origin.file(name, 1, baseDir));
        }
        ConfigNode node = convert(root.get(), name, baseDir);
        if (node instanceof ConfigNode.Mapping mapping) {
            return mapping;
        }
        if (node instanceof ConfigNode.Scalar scalar && scalar.text() == null) {
            return new ConfigNode.Mapping(scalar.origin());
        }
        throw new ConfigException(node.origin().describe() + ": the configuration must be a mapping of keys such as"
                + " 'listen:' and 'servers:' (got " + node.describe() + ")");
    }

    private static ConfigNode convert(Node node, String name, Path baseDir) {
        Origin origin = Origin.file(name, line(node), baseDir);
        if (node instanceof ScalarNode scalar) {
            boolean isNull = scalar.getTag().equals(Tag.NULL);
            return new ConfigNode.Scalar(isNull ? null : scalar.getValue(), origin);
        }
        if (node instanceof SequenceNode sequence) {
            ConfigNode.Sequence result = new ConfigNode.Sequence(origin);
            for (Node item : sequence.getValue()) {
                result.items().add(convert(item, name, baseDir));
            }
            return result;
        }
        if (node instanceof MappingNode mapping) {
            ConfigNode.Mapping result = new ConfigNode.Mapping(origin);
            for (NodeTuple tuple : mapping.getValue()) {
                Origin keyOrigin = Origin.file(name, line(tuple.getKeyNode()), baseDir);
                if (!(tuple.getKeyNode() instanceof ScalarNode key)
                        || key.getTag().equals(Tag.NULL)) {
                    throw new ConfigException(keyOrigin.describe() + ": keys must be plain names like 'listen'");
                }
                ConfigNode.Entry previous = result.entries().get(key.getValue());
                if (previous != null) {
                    throw new ConfigException(keyOrigin.describe() + ": duplicate key '" + key.getValue()
                            + "' (first at line " + previous.keyOrigin().line() + ")");
                }
                result.put(key.getValue(), keyOrigin, convert(tuple.getValueNode(), name, baseDir));
            }
            return result;
        }
        throw new ConfigException(origin.describe() + ": unsupported YAML node " + node.getNodeType());
    }

    private static int line(Node node) {
        return node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
    }

    private static String location(String name, int line) {
        return line > 0 ? name + ":" + line : name;
    }
}
