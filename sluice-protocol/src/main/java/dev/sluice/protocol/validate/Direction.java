package dev.sluice.protocol.validate;

/** Which way the offending packet travelled; the counter's {@code direction} label. */
public enum Direction {
    /** Read from the client. */
    FROM_CLIENT("from_client"),
    /** Written by Sluice to the client (a server's packet relayed, or Sluice's own). */
    TO_CLIENT("to_client"),
    /** Read from a server (seen by the session, not relayed). */
    FROM_SERVER("from_server");

    private final String label;

    Direction(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
