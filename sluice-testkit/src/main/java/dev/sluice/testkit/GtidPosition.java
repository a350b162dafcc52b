package dev.sluice.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A MariaDB GTID position as the server prints it ({@code @@gtid_binlog_pos}, {@code @@gtid_slave_pos},
 * {@code Gtid_IO_Pos}): a comma-separated list of {@code domain-server_id-seq_no}, at most one per replication domain.
 * Empty when nothing was logged or applied yet.
 *
 * <p>Sequence numbers grow per domain, whichever server wrote them, so one position has reached another when it has
 * the same or a higher seq_no in each of the other's domains ({@link #covers}), the rule MASTER_GTID_WAIT applies.
 */
public record GtidPosition(List<Gtid> gtids) {
    /** One transaction's id: the replication domain, the server that first wrote it, its sequence number. */
    public record Gtid(long domain, long serverId, long seqNo) {
        @Override
        public String toString() {
            return domain + "-" + serverId + "-" + seqNo;
        }
    }

    public GtidPosition {
        gtids = List.copyOf(gtids);
    }

    /** Parses the server's text; blanks (the client may print a position over several lines) are ignored. */
    public static GtidPosition parse(String text) {
        String clean = text == null ? "" : text.replaceAll("\\s+", "");
        List<Gtid> gtids = new ArrayList<>();
        if (!clean.isEmpty() && !clean.equals("NULL")) {
            for (String part : clean.split(",")) {
                String[] fields = part.split("-");
                if (fields.length != 3) {
                    throw new IllegalArgumentException("not a GTID position: " + text);
                }
                gtids.add(new Gtid(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            }
        }
        return new GtidPosition(gtids);
    }

    public boolean isEmpty() {
        return gtids.isEmpty();
    }

    /** The GTID of a domain, if this position has one. */
    public Optional<Gtid> domain(long domain) {
        return gtids.stream().filter(g -> g.domain() == domain).findFirst();
    }

    /** True when, in every domain of {@code other}, this position has the same or a higher seq_no. */
    public boolean covers(GtidPosition other) {
        return other.gtids.stream()
                .allMatch(wanted -> domain(wanted.domain())
                        .map(have -> have.seqNo() >= wanted.seqNo())
                        .orElse(false));
    }

    /** The server's own notation, e.g. {@code 0-1-42}; what MASTER_GTID_WAIT and CHANGE MASTER accept. */
    @Override
    public String toString() {
        return gtids.stream().map(Gtid::toString).collect(Collectors.joining(","));
    }
}
