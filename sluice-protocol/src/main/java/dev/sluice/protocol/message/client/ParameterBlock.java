package dev.sluice.protocol.message.client;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.binary.BinaryType;
import dev.sluice.protocol.binary.BinaryValues;
import dev.sluice.protocol.binary.ColumnFlags;
import dev.sluice.protocol.binary.ColumnType;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameter block shared by COM_STMT_EXECUTE and COM_QUERY's query attributes: a NULL bitmap of
 * (count + 7) / 8 bytes (no offset, unlike a binary row), new_params_bound_flag, then (when 1) per parameter
 * a type byte and a flag byte (0x80 = unsigned), plus a length-encoded name under CLIENT_QUERY_ATTRIBUTES,
 * then the non-NULL values in binary form.
 */
final class ParameterBlock {
    private ParameterBlock() {}

    record Decoded(boolean newParamsBound, List<BoundParameter> parameters) {}

    /**
     * @param previousTypes types bound by an earlier execution, used when new_params_bound_flag is 0; {@code
     *     null} when unknown (then a 0 flag is an error, since the values cannot be delimited)
     */
    static Decoded decode(ByteBuf buf, int count, boolean withNames, List<BinaryType> previousTypes, String what) {
        byte[] bitmap = Wire.readFixedBytes(buf, (count + 7) / 8, what + " null_bitmap");
        int bound = Wire.readInt1(buf, what + " new_params_bind_flag");
        if (bound > 1) {
            throw new ProtocolException(what + " new_params_bind_flag: " + bound + " (expected: 0 or 1)");
        }
        List<BinaryType> types = new ArrayList<>(count);
        List<String> names = new ArrayList<>(count);
        if (bound == 1) {
            for (int i = 0; i < count; i++) {
                int code = Wire.readInt1(buf, what + " parameter " + i + " type");
                int flag = Wire.readInt1(buf, what + " parameter " + i + " flag");
                types.add(new BinaryType(
                        ColumnType.of(code, what + " parameter " + i + " type"),
                        (flag & ColumnFlags.PARAM_UNSIGNED) != 0));
                names.add(withNames ? Wire.readLenencString(buf, what + " parameter " + i + " name") : "");
            }
        } else {
            if (previousTypes == null || previousTypes.size() != count) {
                throw new ProtocolException(what + " new_params_bind_flag: 0 but no parameter types were bound "
                        + "earlier for " + count + " parameters");
            }
            types.addAll(previousTypes);
            for (int i = 0; i < count; i++) {
                names.add("");
            }
        }
        List<BoundParameter> params = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            boolean isNull = (bitmap[i >> 3] & (1 << (i & 7))) != 0;
            Object value = isNull ? null : BinaryValues.decode(buf, types.get(i), what + " parameter " + i);
            params.add(new BoundParameter(types.get(i), names.get(i), value));
        }
        return new Decoded(bound == 1, params);
    }

    static void encode(ByteBuf out, List<BoundParameter> params, boolean newParamsBound, boolean withNames) {
        byte[] bitmap = new byte[(params.size() + 7) / 8];
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).value() == null) {
                bitmap[i >> 3] |= (byte) (1 << (i & 7));
            }
        }
        out.writeBytes(bitmap);
        out.writeByte(newParamsBound ? 1 : 0);
        if (newParamsBound) {
            for (BoundParameter p : params) {
                out.writeByte(p.type().type().code());
                out.writeByte(p.type().unsigned() ? ColumnFlags.PARAM_UNSIGNED : 0);
                if (withNames) {
                    Wire.writeLenencString(out, p.name());
                }
            }
        }
        for (BoundParameter p : params) {
            if (p.value() != null) {
                BinaryValues.encode(out, p.type(), p.value());
            }
        }
    }
}
