package dev.sluice.protocol.validate;

import io.netty.buffer.ByteBuf;

/**
 * One breach of the protocol, reported once per session (docs/VALIDATION.md, "Reading a report").
 *
 * @param sessionId the session (the connection id its greeting carried); 0 before the greeting
 * @param peer the client's address
 * @param direction which way the offending packet went
 * @param rule what it broke
 * @param command the command whose exchange it belongs to ({@code COM_QUERY}, ...), {@code handshake} before the
 *     login ended, {@code none} with no command outstanding
 * @param packet its index in that exchange: the command is 0 and its response's packets 1, 2, ... (the handshake:
 *     the greeting is 0)
 * @param offset the byte in the packet's payload where the breach is, -1 when it concerns the packet as a whole
 *     (its header's sequence id, its place, its timing)
 * @param expected what the specification or the negotiated state wanted there
 * @param found what was there instead
 * @param hexFrom the payload offset of the first byte of {@code hex}
 * @param hex at most {@link #EXCERPT} bytes of the payload around {@code offset}, in hex; empty without a payload
 */
public record Violation(
        long sessionId,
        String peer,
        Direction direction,
        Rule rule,
        String command,
        long packet,
        int offset,
        String expected,
        String found,
        int hexFrom,
        String hex) {

    /** The most payload bytes a report quotes. */
    public static final int EXCERPT = 64;

    /** The payload bytes around {@code offset} (from 16 before it), at most {@link #EXCERPT}: where they start. */
    static int excerptStart(ByteBuf payload, int offset) {
        return payload == null ? 0 : Math.max(0, Math.min(offset, payload.readableBytes()) - 16);
    }

    /** The excerpt from {@link #excerptStart}, as hex; the payload's indices are not moved. */
    static String excerpt(ByteBuf payload, int from) {
        if (payload == null) {
            return "";
        }
        int n = Math.min(EXCERPT, payload.readableBytes() - from);
        StringBuilder s = new StringBuilder(2 * Math.max(0, n));
        for (int i = 0; i < n; i++) {
            int b = payload.getUnsignedByte(payload.readerIndex() + from + i);
            s.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 15, 16));
        }
        return s.toString();
    }

    /** The report as one log line of key=value pairs, values with spaces quoted. */
    public String logLine() {
        return "protocol violation session=" + sessionId + " peer=" + peer + " direction=" + direction.label()
                + " rule=" + rule.label() + " command=" + command + " packet=" + packet + " offset=" + offset
                + " expected=" + quote(expected) + " found=" + quote(found) + " hex_from=" + hexFrom + " hex="
                + (hex.isEmpty() ? "-" : hex);
    }

    /** What the client's ERR says under {@code validate: enforce}. */
    public String errorMessage() {
        String what = "Protocol violation (rule " + rule.label() + ", " + direction.label() + ", " + command
                + " packet " + packet + (offset >= 0 ? " offset " + offset : "") + "): expected " + expected
                + ", found " + found + "; the session ends";
        return what.length() <= 480 ? what : what.substring(0, 477) + "...";
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
