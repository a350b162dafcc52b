package dev.sluice.protocol.message.server;

import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The answer to COM_STATISTICS: a bare human-readable string&lt;EOF&gt; ("Uptime: 5  Threads: 1 ..."),
 * with no header byte, which is why only the command sent tells it from an OK or ERR.
 */
public record StatisticsResponse(String text) {
    public static StatisticsResponse decode(ByteBuf buf) {
        return new StatisticsResponse(Wire.readRestString(buf, StandardCharsets.UTF_8));
    }

    public void encode(ByteBuf buf) {
        buf.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
