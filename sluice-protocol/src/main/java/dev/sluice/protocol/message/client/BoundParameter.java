package dev.sluice.protocol.message.client;

import dev.sluice.protocol.binary.BinaryType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One parameter of COM_STMT_EXECUTE, or one query attribute of COM_QUERY (CLIENT_QUERY_ATTRIBUTES).
 *
 * @param type the type sent with the parameter, or the one bound at an earlier execution
 * @param name the attribute name under CLIENT_QUERY_ATTRIBUTES; empty otherwise
 * @param value as {@link dev.sluice.protocol.binary.BinaryValues} represents it; {@code null} for SQL NULL
 */
public record BoundParameter(BinaryType type, String name, Object value) {
    public BoundParameter {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    public static BoundParameter of(BinaryType type, Object value) {
        return new BoundParameter(type, "", value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BoundParameter p
                && p.type.equals(type)
                && p.name.equals(name)
                && Objects.deepEquals(p.value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, name) * 31 + Arrays.deepHashCode(new Object[] {value});
    }
}
