package dev.sluice.proxy.accounts;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The host part of a server account ({@code 'user'@'host'}), matched against a client's IP address as MySQL and
 * MariaDB match it, without name resolution (Sluice resolves no client address to a host name):
 *
 * <ul>
 *   <li>{@code %} (or an empty host): any client;
 *   <li>a pattern with {@code %} (any run of characters) or {@code _} (one character), e.g. {@code 10.0.%} or
 *       {@code 192.168.1._}, matched against the address as text (IPv4 dotted, IPv6 as Java writes it);
 *   <li>an address ({@code 10.0.0.7}, {@code ::1}), equal to the client's;
 *   <li>an IPv4 address with a netmask ({@code 10.0.0.0/255.255.255.0}): the client's address, masked, equals it;
 *   <li>{@code localhost}: a client on a loopback address (the servers resolve 127.0.0.1 to localhost);
 *   <li>any other host name: never (it would need the client's name from DNS).
 * </ul>
 *
 * <p>{@link #specificity()} orders the patterns of one user as the server sorts its account table, most specific
 * first: exact addresses, netmasks and {@code localhost} before patterns with wildcards, a pattern whose first
 * wildcard comes later before one whose first wildcard comes earlier, {@code %} last.
 */
public final class HostPattern {
    private enum Kind {
        ANY,
        WILDCARD,
        ADDRESS,
        NETMASK,
        LOCALHOST,
        NAME
    }

    private final String text;
    private final Kind kind;
    private final InetAddress address;
    private final long network;
    private final long mask;

    private HostPattern(String text, Kind kind, InetAddress address, long network, long mask) {
        this.text = text;
        this.kind = kind;
        this.address = address;
        this.network = network;
        this.mask = mask;
    }

    /** The host column as the server stores it. */
    public static HostPattern parse(String host) {
        String h = host == null ? "" : host;
        if (h.isEmpty() || h.equals("%")) {
            return new HostPattern(h, Kind.ANY, null, 0, 0);
        }
        if (h.indexOf('%') >= 0 || h.indexOf('_') >= 0) {
            return new HostPattern(h, Kind.WILDCARD, null, 0, 0);
        }
        if (h.equalsIgnoreCase("localhost")) {
            return new HostPattern(h, Kind.LOCALHOST, null, 0, 0);
        }
        int slash = h.indexOf('/');
        if (slash > 0) {
            long net = ipv4(h.substring(0, slash));
            long m = ipv4(h.substring(slash + 1));
            return net < 0 || m < 0
                    ? new HostPattern(h, Kind.NAME, null, 0, 0)
                    : new HostPattern(h, Kind.NETMASK, null, net, m);
        }
        InetAddress literal = literal(h);
        return literal == null
                ? new HostPattern(h, Kind.NAME, null, 0, 0)
                : new HostPattern(h, Kind.ADDRESS, literal, 0, 0);
    }

    public String text() {
        return text;
    }

    /** Whether a client from this address (as {@link InetAddress#getHostAddress()} writes it) matches. */
    public boolean matches(String clientAddress) {
        return switch (kind) {
            case ANY -> true;
            case WILDCARD -> like(text.toLowerCase(Locale.ROOT), 0, clientAddress.toLowerCase(Locale.ROOT), 0);
            case ADDRESS -> address.equals(literal(clientAddress));
            case NETMASK -> {
                long client = ipv4(clientAddress);
                yield client >= 0 && (client & mask) == network;
            }
            case LOCALHOST -> {
                InetAddress client = literal(clientAddress);
                yield client != null && client.isLoopbackAddress();
            }
            case NAME -> false;
        };
    }

    /** Larger is more specific; see the class comment. */
    public int specificity() {
        return switch (kind) {
            case ADDRESS, NETMASK, LOCALHOST, NAME -> Integer.MAX_VALUE;
            case WILDCARD -> 1 + firstWildcard();
            case ANY -> 0;
        };
    }

    private int firstWildcard() {
        int percent = text.indexOf('%');
        int underscore = text.indexOf('_');
        if (percent < 0) {
            return underscore;
        }
        return underscore < 0 ? percent : Math.min(percent, underscore);
    }

    /** SQL LIKE without escapes: {@code %} any run, {@code _} one character. */
    private static boolean like(String pattern, int p, String value, int v) {
        while (p < pattern.length()) {
            char c = pattern.charAt(p);
            if (c == '%') {
                for (int from = v; from <= value.length(); from++) {
                    if (like(pattern, p + 1, value, from)) {
                        return true;
                    }
                }
                return false;
            }
            if (v >= value.length() || (c != '_' && c != value.charAt(v))) {
                return false;
            }
            p++;
            v++;
        }
        return v == value.length();
    }

    /** An IPv4 address as an unsigned 32-bit value, or -1 when the text is not one. */
    static long ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return -1;
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    /** The address when the text is an IP literal (never a name lookup), else null. */
    private static InetAddress literal(String text) {
        boolean v4 = ipv4(text) >= 0;
        boolean v6 = text.indexOf(':') >= 0
                && text.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(text); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
