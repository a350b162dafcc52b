package dev.sluice.app.config;

/**
 * {@code host:port} as written in the configuration; IPv6 literals go in brackets ({@code [::1]:3307}), and the
 * host is returned without them.
 */
public record HostPort(String host, int port) {
    /** Parses {@code host:port} with a port in {@code minPort..65535}, or throws with a message fit for the user. */
    public static HostPort parse(String text, int minPort) {
        String s = text.strip();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw notHostPort(text, "expected [IPv6]:port");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw notHostPort(text, "the port is missing");
            }
            if (s.indexOf(':') != colon) {
                throw notHostPort(text, "write IPv6 addresses in brackets, e.g. [::1]:3307");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw notHostPort(text, "the host is missing");
        }
        if (!port.matches("\\d{1,5}")) {
            throw notHostPort(text, port.isEmpty() ? "the port is missing" : "port '" + port + "' is not a number");
        }
        int p = Integer.parseInt(port);
        if (p < minPort || p > 65535) {
            throw new IllegalArgumentException(
                    "\"" + text + "\": port " + p + " is out of range (expected " + minPort + "..65535)");
        }
        return new HostPort(host, p);
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static IllegalArgumentException notHostPort(String text, String why) {
        return new IllegalArgumentException("\"" + text + "\" is not host:port (" + why + ")");
    }
}
