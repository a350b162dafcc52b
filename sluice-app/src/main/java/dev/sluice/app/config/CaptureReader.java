package dev.sluice.app.config;

import dev.sluice.proxy.config.CaptureConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** The {@code capture} mapping: session captures (docs/CAPTURES.md); none when absent. */
final class CaptureReader {
    static final List<String> KEYS =
            List.of("dir", "max-bytes", "ring-frames", "ring-bytes", "frame-bytes", "on-error", "continuous");
    static final List<String> CONTINUOUS_KEYS = List.of("user", "client");
    private static final String PATH = "capture";

    private final ValueReader values;

    CaptureReader(ValueReader values) {
        this.values = values;
    }

    /** The settings; null when absent or with a problem (reported). */
    CaptureConfig read(ConfigNode node) {
        if (node == null || node instanceof ConfigNode.Scalar s && s.text() == null) {
            return null;
        }
        ConfigNode.Mapping m = values.mapping(node, PATH);
        if (m == null) {
            return null;
        }
        int before = values.problems().size();
        values.checkKeys(m, PATH, KEYS);
        Path dir = dir(m);
        long frames = values.integer(
                m, "ring-frames", PATH + ".ring-frames", CaptureConfig.DEFAULT_RING_FRAMES, 1, 1_000_000);
        long ringBytes = values.size(m, "ring-bytes", CaptureConfig.DEFAULT_RING_BYTES, 1024, 1L << 30);
        long frameBytes =
                values.size(m, "frame-bytes", CaptureConfig.DEFAULT_FRAME_BYTES, 64, CaptureConfig.MAX_FRAME_BYTES);
        long maxBytes = values.size(m, "max-bytes", CaptureConfig.DEFAULT_MAX_BYTES, 64 * 1024, Long.MAX_VALUE);
        boolean onError = values.bool(m, "on-error", PATH + ".on-error", false);
        if (frameBytes > ringBytes) {
            values.problem(
                    ValueReader.originOf(m, "frame-bytes"),
                    PATH + ".frame-bytes",
                    "is larger than capture.ring-bytes (" + ringBytes + ")");
        }
        String user = null;
        String client = null;
        ConfigNode c = m.get("continuous");
        if (c != null && !(c instanceof ConfigNode.Scalar s && s.text() == null)) {
            ConfigNode.Mapping cm = values.mapping(c, PATH + ".continuous");
            if (cm != null) {
                values.checkKeys(cm, PATH + ".continuous", CONTINUOUS_KEYS);
                user = values.string(cm.get("user"), PATH + ".continuous.user");
                client = values.string(cm.get("client"), PATH + ".continuous.client");
                if (client != null && !literalAddress(client)) {
                    values.problem(
                            cm.get("client").origin(),
                            PATH + ".continuous.client",
                            "\"" + client + "\" is not an IP address");
                }
                if (user == null && client == null) {
                    values.problem(
                            cm.origin(), PATH + ".continuous", "give user:, client: or both (the sessions to capture)");
                }
            }
        }
        if (dir == null || values.problems().size() > before) {
            return null;
        }
        return new CaptureConfig((int) frames, (int) ringBytes, (int) frameBytes, dir, maxBytes, onError, user, client);
    }

    /** The capture directory (created at start when missing); relative to the configuration file. */
    private Path dir(ConfigNode.Mapping m) {
        ConfigNode node = m.get("dir");
        String text = node == null ? null : values.string(node, PATH + ".dir");
        if (text == null) {
            values.problem(
                    ValueReader.originOf(m, "dir"), PATH + ".dir", "is required (where capture files are written)");
            return null;
        }
        try {
            Path p = Path.of(text);
            return node.origin().baseDir() == null || p.isAbsolute()
                    ? p
                    : node.origin().baseDir().resolve(p);
        } catch (InvalidPathException e) {
            values.problem(node.origin(), PATH + ".dir", "\"" + text + "\" is not a directory name: " + e.getReason());
            return null;
        }
    }

    private static boolean literalAddress(String text) {
        if (!text.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return false; // a host name would need DNS
        }
        try {
            InetAddress.getByName(text);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
