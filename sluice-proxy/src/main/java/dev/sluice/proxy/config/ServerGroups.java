package dev.sluice.proxy.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The server groups the proxy runs with: exactly one writer group and any number of reader groups, by name.
 * Without {@code groups} in the configuration they are {@linkplain #implicit implicit}: one writer group named
 * {@value #IMPLICIT_WRITER} holding the first server, which is what every session used before groups existed.
 * Routing reads this one shape either way.
 *
 * @param configured whether the groups were configured ({@code false}: the implicit writer group only)
 */
public record ServerGroups(List<ServerGroup> groups, boolean configured) {
    /** The name of the implicit writer group. */
    public static final String IMPLICIT_WRITER = "writer";

    public ServerGroups {
        groups = List.copyOf(groups);
        Map<String, ServerGroup> byName = new HashMap<>();
        int writers = 0;
        for (ServerGroup g : groups) {
            if (byName.put(g.name(), g) != null) {
                throw new IllegalArgumentException("groups: duplicate group name '" + g.name() + "'");
            }
            writers += g.isWriter() ? 1 : 0;
        }
        if (writers != 1) {
            throw new IllegalArgumentException("groups: exactly one writer group is required (got " + writers + ")");
        }
    }

    /** The groups of a configuration without {@code groups}: one writer group with the first server only. */
    public static ServerGroups implicit(ServerConfig firstServer) {
        Objects.requireNonNull(firstServer, "firstServer");
        return new ServerGroups(List.of(ServerGroup.writer(IMPLICIT_WRITER, List.of(firstServer.name()))), false);
    }

    /** The group of that name, or null. */
    public ServerGroup named(String name) {
        for (ServerGroup g : groups) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        return null;
    }

    /** The writer group. */
    public ServerGroup writer() {
        for (ServerGroup g : groups) {
            if (g.isWriter()) {
                return g;
            }
        }
        throw new IllegalStateException("no writer group"); // the constructor makes sure there is one
    }

    /** The reader groups, in configuration order. */
    public List<ServerGroup> readers() {
        return groups.stream().filter(g -> !g.isWriter()).toList();
    }
}
