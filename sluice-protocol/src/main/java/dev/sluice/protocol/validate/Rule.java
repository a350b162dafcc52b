package dev.sluice.protocol.validate;

/**
 * What a {@link Violation} broke: a fixed set, so the counter labelled by it stays bounded (docs/VALIDATION.md
 * describes each).
 */
public enum Rule {
    /** A sequence id other than the one the exchange has reached (16 MiB continuations included). */
    SEQUENCE("sequence"),
    /** A length-encoded integer in an illegal form: 0xFF, or 0xFB (NULL) where NULL is not allowed. */
    LENENC("lenenc"),
    /** A packet whose format fixes its length, shorter or longer than its fields. */
    LENGTH("length"),
    /** A packet out of place in the exchange (e.g. an EOF where CLIENT_DEPRECATE_EOF wants an OK, a row too many). */
    STRUCTURE("structure"),
    /** Status flags that are unknown, inconsistent, or MORE_RESULTS where no further result may follow. */
    STATUS("status"),
    /** A field whose value is implausible (an OK's info with control bytes, a filler that is not zero). */
    FIELD("field"),
    /** A payload larger than the maximum packet size. */
    MAX_PACKET("max_packet"),
    /** A command not legal in the session's state (COM_STMT_FETCH without an open cursor, an unknown command). */
    COMMAND_STATE("command_state"),
    /** A packet from the server with no command outstanding (after the response ended, or never asked for). */
    UNSOLICITED("unsolicited"),
    /** The server stopped sending in the middle of a response until the read deadline ended the session. */
    STALLED("stalled");

    private final String label;

    Rule(String label) {
        this.label = label;
    }

    /** The rule's name in reports, ERRs and the counter's {@code rule} label. */
    public String label() {
        return label;
    }
}
