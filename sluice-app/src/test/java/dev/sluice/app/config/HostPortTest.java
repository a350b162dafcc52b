package dev.sluice.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:3306, 127.0.0.1, 3306",
        "db.example:1, db.example, 1",
        "h:65535, h, 65535",
        "'[::1]:3307', ::1, 3307",
        "'[fe80::1%eth0]:3307', fe80::1%eth0, 3307",
        "' h:7 ', h, 7",
    })
    void parses(String text, String host, int port) {
        assertThat(HostPort.parse(text, 1)).isEqualTo(new HostPort(host, port));
    }

    @Test
    void portZeroOnlyWhereAllowed() {
        assertThat(HostPort.parse("127.0.0.1:0", 0).port()).isZero();
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:0", 1))
                .hasMessage("\"127.0.0.1:0\": port 0 is out of range (expected 1..65535)");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1       | \"127.0.0.1\" is not host:port (the port is missing)",
                "h:              | \"h:\" is not host:port (the port is missing)",
                ":3307           | \":3307\" is not host:port (the host is missing)",
                "h:http          | \"h:http\" is not host:port (port 'http' is not a number)",
                "h:-1            | \"h:-1\" is not host:port (port '-1' is not a number)",
                "h:65536         | \"h:65536\": port 65536 is out of range (expected 1..65535)",
                "::1:3307        | \"::1:3307\" is not host:port (write IPv6 addresses in brackets, e.g. [::1]:3307)",
                "[::1]3307       | \"[::1]3307\" is not host:port (expected [IPv6]:port)",
                "[::1            | \"[::1\" is not host:port (expected [IPv6]:port)",
            })
    void refuses(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text, 1)).hasMessage(message);
    }

    @Test
    void printsIpv6InBrackets() {
        assertThat(new HostPort("::1", 3307)).hasToString("[::1]:3307");
        assertThat(new HostPort("h", 1)).hasToString("h:1");
    }
}
