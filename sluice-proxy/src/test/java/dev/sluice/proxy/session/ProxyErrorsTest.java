package dev.sluice.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProxyErrorsTest {
    private static final Path DOC = Path.of("..", "docs", "ERRORS.md");

    @Test
    void accessDeniedText() {
        assertThat(ProxyErrors.accessDenied("bob", "192.168.0.7", false).message())
                .isEqualTo("Access denied for user 'bob'@'192.168.0.7' (using password: NO)");
        assertThat(ProxyErrors.badHandshake(null).message()).isEqualTo("Bad handshake");
    }

    @Test
    void optionalPartsOfMessages() {
        assertThat(ProxyErrors.badHandshake("too short").message()).isEqualTo("Bad handshake: too short");
        assertThat(ProxyErrors.serverLost("db1", "COM_QUERY", 0, "reset").message())
                .isEqualTo("sluice: lost the connection to server db1 during COM_QUERY (reset); the result is"
                        + " incomplete and the statement may or may not have run");
        assertThat(ProxyErrors.serverLost("db1", "COM_QUERY", 7, "reset").message())
                .startsWith("sluice: lost the connection to server db1 during COM_QUERY after 7 rows (reset);");
        assertThat(ProxyErrors.localInfileRefused("/etc/passwd", false).message())
                .endsWith("did not name in a LOAD DATA LOCAL INFILE; refused, no file was sent");
        assertThat(ProxyErrors.localInfileRefused("/etc/passwd", true).message())
                .endsWith("no file was sent; the statements after it in this text ran on the server, their results"
                        + " were discarded");
        assertThat(ProxyErrors.unknownCommand(0xfe).message())
                .isEqualTo("sluice: unknown command byte 0xfe from the client");
        assertThat(ProxyErrors.unknownThread(-1).message()).isEqualTo("Unknown thread id: 18446744073709551615");
    }

    /** The table is in code order, as its javadoc says. */
    @Test
    void rowsInCodeOrder() {
        List<Integer> codes =
                Arrays.stream(ProxyErrors.Row.values()).map(r -> r.code).toList();
        assertThat(codes).isSorted();
    }

    /** docs/ERRORS.md has a table row with each code and its SQLSTATE. */
    @Test
    void everyRowDocumented() throws IOException {
        String doc = Files.readString(DOC);
        for (ProxyErrors.Row row : ProxyErrors.Row.values()) {
            Pattern line = Pattern.compile("(?m)^\\| " + row.code + " \\| " + Pattern.quote(row.sqlState) + " \\|");
            assertThat(line.matcher(doc).find())
                    .as("docs/ERRORS.md documents %s (%d, %s)", row, row.code, row.sqlState)
                    .isTrue();
        }
    }
}
