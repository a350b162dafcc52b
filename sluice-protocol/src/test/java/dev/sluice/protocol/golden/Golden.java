package dev.sluice.protocol.golden;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads hex vectors: commented spec examples in tests, and capture files written by {@link CommandRecorder}. */
public final class Golden {
    private Golden() {}

    /** Hex with spaces, newlines and "//" or "#" comments to end of line. */
    public static byte[] hex(String commented) {
        StringBuilder sb = new StringBuilder();
        for (String line : commented.split("\n")) {
            int c = line.indexOf("//");
            if (c >= 0) {
                line = line.substring(0, c);
            }
            int h = line.indexOf('#');
            if (h >= 0) {
                line = line.substring(0, h);
            }
            sb.append(line.replaceAll("[\\s|]", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    public static ByteBuf buf(String commented) {
        return Unpooled.wrappedBuffer(hex(commented));
    }

    /** The payload copied into a fresh buffer that starts {@code offset} bytes in (reader index = offset). */
    public static ByteBuf atOffset(byte[] payload, int offset) {
        ByteBuf b = Unpooled.buffer(offset + payload.length);
        b.writeZero(offset);
        b.writeBytes(payload);
        b.readerIndex(offset);
        return b;
    }

    public record Packet(boolean fromClient, byte[] payload) {}

    public record Capture(String title, long capabilities, List<Packet> packets) {}

    public static Capture capture(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/command/" + name + ".hex")) {
            if (in == null) {
                throw new IllegalArgumentException("no capture " + name);
            }
            String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n");
            String title = lines[0].substring(2);
            long caps = Long.parseLong(
                    lines[1].substring("# capabilities 0x".length()).trim(), 16);
            List<Packet> packets = new ArrayList<>();
            for (int i = 2; i < lines.length; i++) {
                String l = lines[i];
                if (l.isBlank()) {
                    continue;
                }
                packets.add(new Packet(
                        l.charAt(0) == 'C',
                        HexFormat.of().parseHex(l.substring(1).trim())));
            }
            return new Capture(title, caps, packets);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
