package dev.sluice.protocol.message.client;

import dev.sluice.protocol.Capability;
import dev.sluice.protocol.Command;
import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * COM_QUERY: the statement text, string&lt;EOF&gt;, kept as bytes (the connection's character set).
 *
 * <p>Under MySQL's CLIENT_QUERY_ATTRIBUTES the text is preceded by parameter_count int&lt;lenenc&gt;,
 * parameter_set_count int&lt;lenenc&gt; (always 1) and, when the count is not 0, a named parameter block
 * (see {@link ParameterBlock}). Without the capability, {@code attributes} is empty.
 */
public record ComQuery(byte[] query, List<BoundParameter> attributes) implements ClientCommand {
    public ComQuery {
        attributes = List.copyOf(attributes);
    }

    public static ComQuery of(String sql) {
        return new ComQuery(sql.getBytes(StandardCharsets.UTF_8), List.of());
    }

    public static ComQuery decode(ByteBuf buf, long capabilities) {
        Commands.header(buf, Command.COM_QUERY);
        List<BoundParameter> attributes = List.of();
        if (Capability.has(capabilities, Capability.CLIENT_QUERY_ATTRIBUTES)) {
            long count = Wire.readLenencInt(buf, "COM_QUERY parameter_count");
            long sets = Wire.readLenencInt(buf, "COM_QUERY parameter_set_count");
            if (sets != 1) {
                throw new ProtocolException(
                        "COM_QUERY parameter_set_count: " + Long.toUnsignedString(sets) + " (expected: 1)");
            }
            // Each parameter needs at least its two type bytes: a count beyond that cannot be honest.
            if (count < 0 || count > buf.readableBytes() / 2) {
                throw new ProtocolException("COM_QUERY parameter_count: " + Long.toUnsignedString(count)
                        + " (expected: <= " + buf.readableBytes() / 2 + " for the bytes remaining)");
            }
            if (count > 0) {
                attributes = ParameterBlock.decode(buf, (int) count, true, null, "COM_QUERY")
                        .parameters();
            }
        }
        return new ComQuery(Wire.readRestBytes(buf), attributes);
    }

    public String sql() {
        return new String(query, StandardCharsets.UTF_8);
    }

    @Override
    public Command command() {
        return Command.COM_QUERY;
    }

    @Override
    public void encode(ByteBuf out, long capabilities) {
        out.writeByte(Command.COM_QUERY.code());
        if (Capability.has(capabilities, Capability.CLIENT_QUERY_ATTRIBUTES)) {
            Wire.writeLenencInt(out, attributes.size());
            Wire.writeLenencInt(out, 1);
            if (!attributes.isEmpty()) {
                ParameterBlock.encode(out, attributes, true, true);
            }
        } else if (!attributes.isEmpty()) {
            throw new IllegalStateException("query attributes need CLIENT_QUERY_ATTRIBUTES");
        }
        out.writeBytes(query);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ComQuery q && Arrays.equals(q.query, query) && q.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(query) * 31 + attributes.hashCode();
    }

    @Override
    public String toString() {
        return "ComQuery[" + sql() + (attributes.isEmpty() ? "" : ", attributes=" + attributes) + "]";
    }
}
