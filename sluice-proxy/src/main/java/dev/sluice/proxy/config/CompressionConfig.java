package dev.sluice.proxy.config;

import dev.sluice.protocol.compress.Compression;

/**
 * The compressed protocol, negotiated on each side independently (see docs/CONFIGURATION.md, {@code compression}).
 *
 * @param clients whether Sluice's greeting offers compression to clients ({@code compression.clients}, true): a
 *     client that asks for it (CLIENT_COMPRESS: zlib; CLIENT_ZSTD_COMPRESSION_ALGORITHM: zstd at the level it sends)
 *     gets its link compressed after the login, as a server would; the others are unaffected
 * @param servers what Sluice asks of servers for its sessions' connections ({@code compression.servers}: null for
 *     {@code off}, the default; {@code zlib}; {@code zstd} where the server offers it, else zlib)
 * @param level the level Sluice compresses at towards servers ({@code compression.level}, 0: the algorithm's
 *     default, zlib 6, zstd 3)
 */
public record CompressionConfig(boolean clients, Compression servers, int level) {
    public CompressionConfig {
        if (level != 0 && servers != null && (level < servers.minLevel() || level > servers.maxLevel())) {
            throw new IllegalArgumentException("compression.level: " + level + " (expected: " + servers.minLevel()
                    + ".." + servers.maxLevel() + " for " + servers.configName() + ", or 0 for its default)");
        }
    }

    public static CompressionConfig defaults() {
        return new CompressionConfig(true, null, 0);
    }
}
