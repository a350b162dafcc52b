package dev.sluice.backend.topology;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A MariaDB GTID position ({@code @@gtid_binlog_pos}, {@code @@gtid_slave_pos}, {@code @@gtid_current_pos}): the
 * last transaction per replication domain, written {@code domain-server_id-seq_no} and separated by commas, e.g.
 * {@code 0-1-10,1-2-5}. Empty when the server has logged or applied nothing.
 *
 * <p>Within a domain seq_no only grows, whichever server wrote the transaction, so positions are compared per domain
 * by seq_no: that is how the monitor tells how far a replica is behind the writer even when Seconds_Behind_Master
 * says nothing (NULL while the SQL thread is stopped).
 *
 * @param lastByDomain the last GTID of each domain, keyed and ordered by domain id
 */
public record GtidPosition(Map<Long, Gtid> lastByDomain) {
    public static final GtidPosition EMPTY = new GtidPosition(Map.of());

    /** One transaction id. */
    public record Gtid(long domain, long serverId, long seqNo) {
        @Override
        public String toString() {
            return domain + "-" + serverId + "-" + seqNo;
        }
    }

    public GtidPosition {
        lastByDomain = Collections.unmodifiableMap(new TreeMap<>(lastByDomain));
    }

    /**
     * Reads the server's notation; null, blank and "NULL" give {@link #EMPTY}. Whitespace around entries is ignored.
     *
     * @throws IllegalArgumentException for anything else that is not a list of {@code domain-server-seq}, or that
     *     names a domain twice
     */
    public static GtidPosition parse(String text) {
        if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("NULL")) {
            return EMPTY;
        }
        Map<Long, Gtid> byDomain = new TreeMap<>();
        for (String entry : text.split(",", -1)) {
            Gtid gtid = parseOne(entry.strip(), text);
            if (byDomain.put(gtid.domain(), gtid) != null) {
                throw new IllegalArgumentException("GTID position names domain " + gtid.domain() + " twice: " + text);
            }
        }
        return new GtidPosition(byDomain);
    }

    private static Gtid parseOne(String entry, String whole) {
        int first = entry.indexOf('-');
        int second = first < 0 ? -1 : entry.indexOf('-', first + 1);
        if (first <= 0 || second <= first + 1 || second == entry.length() - 1) {
            throw new IllegalArgumentException("not a GTID position (domain-server_id-seq_no, ...): '" + whole + "'");
        }
        try {
            return new Gtid(
                    Long.parseUnsignedLong(entry.substring(0, first)),
                    Long.parseUnsignedLong(entry.substring(first + 1, second)),
                    Long.parseUnsignedLong(entry.substring(second + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "not a GTID position (domain-server_id-seq_no, ...): '" + whole + "'", e);
        }
    }

    public boolean isEmpty() {
        return lastByDomain.isEmpty();
    }

    /** The seq_no reached in a domain; 0 when this position has nothing of it. */
    public long seqNo(long domain) {
        Gtid gtid = lastByDomain.get(domain);
        return gtid == null ? 0 : gtid.seqNo();
    }

    /** Whether this position has reached {@code target} in each of the target's domains (MASTER_GTID_WAIT's rule). */
    public boolean reached(GtidPosition target) {
        return transactionsBehind(target) == 0;
    }

    /**
     * How many transactions this position lacks to reach {@code target}: per domain of the target, its seq_no minus
     * ours when ours is lower, summed. A count of transactions only while seq_no grows by one per transaction in a
     * domain (the normal case); otherwise a measure of distance.
     */
    public long transactionsBehind(GtidPosition target) {
        long behind = 0;
        for (Gtid wanted : target.lastByDomain.values()) {
            behind += Math.max(0, wanted.seqNo() - seqNo(wanted.domain()));
        }
        return behind;
    }

    /** The server's own notation, domains in ascending order. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Gtid gtid : lastByDomain.values()) {
            text.append(text.isEmpty() ? "" : ",").append(gtid);
        }
        return text.toString();
    }
}
