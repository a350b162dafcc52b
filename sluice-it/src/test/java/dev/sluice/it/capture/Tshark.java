package dev.sluice.it.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's tshark on a capture file: the MySQL fields it dissects, with Sluice's port decoded as MySQL. */
public final class Tshark {
    /** The fields {@link #dissect} reads, in this order. */
    public static final List<String> FIELDS = List.of(
            "frame.number",
            "mysql.command",
            "mysql.query",
            "mysql.row.text",
            "mysql.error_code",
            "mysql.error.message",
            "mysql.user",
            "mysql.passwd");

    private final int mysqlPort;

    /** @param mysqlPort the TCP port to decode as MySQL (Sluice's listening port) */
    public Tshark(int mysqlPort) {
        this.mysqlPort = mysqlPort;
    }

    /** One array per frame tshark read, the fields of {@link #FIELDS} in order ("" where a frame has none). */
    public List<String[]> dissect(Path file) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("tshark", "-r", file.toString(), "-d", "tcp.port==" + mysqlPort + ",mysql", "-T", "fields"));
        command.addAll(List.of("-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|"));
        for (String f : FIELDS) {
            command.add("-e");
            command.add(f);
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : run(command).lines().toList()) {
            rows.add(line.split("\t", -1));
        }
        return rows;
    }

    /** The frames tshark calls malformed, as it lists them; empty when none. */
    public String malformed(Path file) throws Exception {
        return run(List.of(
                        "tshark",
                        "-r",
                        file.toString(),
                        "-d",
                        "tcp.port==" + mysqlPort + ",mysql",
                        "-Y",
                        "_ws.malformed"))
                .strip();
    }

    /**
     * The values of {@code field}, one per packet that has it, in order; a field a packet has several of (a row's
     * columns) joined by {@code |}.
     */
    public static List<String> column(List<String[]> rows, String field) {
        int i = FIELDS.indexOf(field);
        List<String> values = new ArrayList<>();
        for (String[] r : rows) {
            if (i < r.length && !r[i].isEmpty()) {
                values.add(r[i]);
            }
        }
        return values;
    }

    /** Whether tshark can be run here. */
    public static boolean installed() {
        try {
            run(List.of("tshark", "--version"));
            return true;
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    /** Runs a command to its end (within a minute): its standard output; it must exit 0. */
    public static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS))
                .as(String.join(" ", command) + " ended")
                .isTrue();
        assertThat(p.exitValue())
                .as(String.join(" ", command) + ": " + new String(err, StandardCharsets.UTF_8))
                .isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
