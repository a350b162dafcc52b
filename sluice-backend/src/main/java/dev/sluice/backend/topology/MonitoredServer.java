package dev.sluice.backend.topology;

import java.util.Objects;

/** A server the {@link TopologyMonitor} polls: the name it is known by in logs and snapshots, and its address. */
public record MonitoredServer(String name, String host, int port) {
    public MonitoredServer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(host, "host");
    }

    @Override
    public String toString() {
        return name + " (" + host + ":" + port + ")";
    }
}
