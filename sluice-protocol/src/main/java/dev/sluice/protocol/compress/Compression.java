package dev.sluice.protocol.compress;

import dev.sluice.protocol.Capability;

/**
 * The algorithms of MySQL's compressed protocol and the capability bit that asks for each: zlib (CLIENT_COMPRESS;
 * MariaDB servers and both Java drivers) and zstd (CLIENT_ZSTD_COMPRESSION_ALGORITHM, MySQL 8.0.18 and later, with
 * a level byte in the HandshakeResponse41). When a login sets both bits, zlib is used.
 */
public enum Compression {
    ZLIB(Capability.CLIENT_COMPRESS, 6, 1, 9),
    ZSTD(Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM, 3, 1, 22);

    private final long capability;
    private final int defaultLevel;
    private final int minLevel;
    private final int maxLevel;

    Compression(long capability, int defaultLevel, int minLevel, int maxLevel) {
        this.capability = capability;
        this.defaultLevel = defaultLevel;
        this.minLevel = minLevel;
        this.maxLevel = maxLevel;
    }

    /** The capability bit that asks for this algorithm. */
    public long capability() {
        return capability;
    }

    public int defaultLevel() {
        return defaultLevel;
    }

    public int minLevel() {
        return minLevel;
    }

    public int maxLevel() {
        return maxLevel;
    }

    /** The algorithm a negotiated set of capabilities selects (zlib when both bits are set), or null for none. */
    public static Compression negotiated(long capabilities) {
        if (Capability.has(capabilities, Capability.CLIENT_COMPRESS)) {
            return ZLIB;
        }
        if (Capability.has(capabilities, Capability.CLIENT_ZSTD_COMPRESSION_ALGORITHM)) {
            return ZSTD;
        }
        return null;
    }

    /** {@code level} when it is within this algorithm's range, else its default (0, as a login sends when absent). */
    public int levelOrDefault(int level) {
        return level >= minLevel && level <= maxLevel ? level : defaultLevel;
    }

    /** A fresh codec of this algorithm, compressing at {@code level} (see {@link #levelOrDefault}). */
    public Codec newCodec(int level) {
        int effective = levelOrDefault(level);
        return this == ZLIB ? new ZlibCodec(effective) : new ZstdCodec(effective);
    }

    /** The name in the configuration and in logs: {@code zlib}, {@code zstd}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
