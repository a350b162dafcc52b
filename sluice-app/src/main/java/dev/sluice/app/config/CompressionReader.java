package dev.sluice.app.config;

import dev.sluice.protocol.compress.Compression;
import dev.sluice.proxy.config.CompressionConfig;
import java.util.List;

/** The {@code compression} mapping: the compressed protocol towards clients and towards servers. */
final class CompressionReader {
    static final List<String> KEYS = List.of("clients", "servers", "level");
    private static final String PATH = "compression";

    private final ValueReader values;

    CompressionReader(ValueReader values) {
        this.values = values;
    }

    CompressionConfig read(ConfigNode node) {
        if (node == null || node instanceof ConfigNode.Scalar s && s.text() == null) {
            return CompressionConfig.defaults();
        }
        ConfigNode.Mapping m = values.mapping(node, PATH);
        if (m == null) {
            return CompressionConfig.defaults();
        }
        values.checkKeys(m, PATH, KEYS);
        boolean clients = values.bool(m, "clients", PATH + ".clients", true);
        String servers = values.choice(m.get("servers"), PATH + ".servers", List.of("off", "zlib", "zstd"), "off");
        Compression algorithm = "off".equals(servers) ? null : Compression.valueOf(servers.toUpperCase());
        long level = values.integer(m, "level", PATH + ".level", 0, 0, 22);
        if (algorithm != null && level != 0 && (level < algorithm.minLevel() || level > algorithm.maxLevel())) {
            values.problem(
                    ValueReader.originOf(m, "level"),
                    PATH + ".level",
                    level + " is not a " + algorithm.configName() + " level (" + algorithm.minLevel() + ".."
                            + algorithm.maxLevel() + ", or 0 for its default)");
            level = 0;
        }
        return new CompressionConfig(clients, algorithm, (int) level);
    }
}
