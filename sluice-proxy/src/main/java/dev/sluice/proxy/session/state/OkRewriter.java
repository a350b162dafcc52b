package dev.sluice.proxy.session.state;

import dev.sluice.protocol.ProtocolException;
import dev.sluice.protocol.ServerStatus;
import dev.sluice.protocol.Wire;
import dev.sluice.protocol.message.server.SessionStateChange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns an OK packet as Sluice's connection received it (CLIENT_SESSION_TRACK negotiated, every tracker on) into
 * the OK this client would have received directly ({@link ClientTrackerView}): the same for both headers, 0x00
 * and the 0xFE that ends a result set under CLIENT_DEPRECATE_EOF. Both sides speak CLIENT_PROTOCOL_41 (Sluice
 * requires it of clients).
 *
 * <p>What a direct client gets, as checked against MariaDB 10.11 ({@code OkRewriteDifferentialTest}):
 *
 * <ul>
 *   <li>with CLIENT_SESSION_TRACK, only the entries its trackers report; when none remain, the
 *       SERVER_SESSION_STATE_CHANGED flag is clear and the info string is left out entirely when it is empty (the
 *       server writes {@code 00 00 00 02 00 00 00}, not a trailing empty lenenc string);
 *   <li>without it, the flag is never set and there is no state block; the info string is still length-encoded
 *       (MariaDB writes it so whatever the client's capabilities, unlike the string&lt;EOF&gt; of the protocol
 *       pages), so it goes as the server wrote it;
 *   <li>several variables of one statement come in the order of the server's hash of the tracker list, which
 *       differs between Sluice's {@code *} and the client's list: the view's learned order puts them back.
 * </ul>
 *
 * <p>EOF packets (clients without CLIENT_DEPRECATE_EOF) are relayed unchanged: MariaDB 10.11 sets
 * SERVER_SESSION_STATE_CHANGED in the EOFs inside a CALL whose procedure changed state, for clients with and
 * without CLIENT_SESSION_TRACK alike, and an EOF carries no entries to filter. The one difference left: a client
 * whose trackers would not have noticed the change (a {@code SET sql_mode} in a procedure, under the default
 * trackers) sees the flag where directly it would not; drivers read state changes only from OKs.
 *
 * <p>Cost: an OK without the flag is recognised by reading its header, two length prefixes and the status, and
 * returned as is (the same buffer), whatever the client; so is one with the flag for a client that tracks
 * everything Sluice does.
 */
public final class OkRewriter {
    private OkRewriter() {}

    /**
     * The OK to send to the client: {@code payload} itself (same instance, indices untouched) when it goes
     * unchanged, otherwise a new buffer from {@code alloc} that the caller owns; the caller keeps owning {@code
     * payload} either way.
     */
    public static ByteBuf rewrite(ByteBuf payload, ClientTrackerView view, ByteBufAllocator alloc) {
        int start = payload.readerIndex();
        int end = payload.writerIndex();
        int statusIndex = skipLenenc(payload, skipLenenc(payload, start + 1, end), end);
        if (statusIndex + 4 > end) {
            throw new ProtocolException("OK packet: " + (end - start) + " bytes, too short for status and warnings");
        }
        int status = payload.getUnsignedShortLE(statusIndex);
        int afterWarnings = statusIndex + 4;
        boolean changed = ServerStatus.has(status, ServerStatus.SESSION_STATE_CHANGED);
        if (!changed) {
            return payload;
        }
        if (changed && view.seesEverything()) {
            return payload;
        }
        ByteBuf in = payload.duplicate().readerIndex(afterWarnings);
        int infoLength = in.isReadable() ? Wire.readLenencLength(in, "OK info") : 0;
        int infoIndex = in.readerIndex();
        in.skipBytes(infoLength);
        List<int[]> kept = view.sessionTrack() ? keptEntries(in, view) : new ArrayList<>();
        boolean reordered = order(payload, kept, view);
        int stateLength = 0;
        for (int[] entry : kept) {
            stateLength += entry[1] - entry[0];
        }
        if (!reordered && allKept(in, stateLength)) {
            return payload; // every entry is one this client would get, in the server's order
        }
        ByteBuf out = alloc.buffer(end - start);
        out.writeBytes(payload, start, statusIndex - start);
        out.writeShortLE(kept.isEmpty() ? status & ~ServerStatus.SESSION_STATE_CHANGED : status);
        out.writeBytes(payload, statusIndex + 2, 2);
        if (!kept.isEmpty() || infoLength > 0) {
            out.writeBytes(payload, afterWarnings, infoIndex + infoLength - afterWarnings); // lenenc info as sent
        }
        if (!kept.isEmpty()) {
            Wire.writeLenencInt(out, stateLength);
            for (int[] entry : kept) {
                out.writeBytes(payload, entry[0], entry[1] - entry[0]);
            }
        }
        return out;
    }

    /** True when the rest of the OK is exactly the state block of {@code stateLength} entry bytes. */
    private static boolean allKept(ByteBuf afterInfo, int stateLength) {
        ByteBuf b = afterInfo.duplicate();
        if (!b.isReadable()) {
            return stateLength == 0;
        }
        int blockLength = Wire.readLenencLength(b, "OK session_state_info");
        return blockLength == stateLength && b.readableBytes() == blockLength;
    }

    /** The [start, end) of each entry (type, length, data) that the client's trackers report, in server order. */
    private static List<int[]> keptEntries(ByteBuf afterInfo, ClientTrackerView view) {
        List<int[]> kept = new ArrayList<>(4);
        if (!afterInfo.isReadable()) {
            return kept;
        }
        ByteBuf b = afterInfo.duplicate();
        int blockLength = Wire.readLenencLength(b, "OK session_state_info");
        ByteBuf block = b.slice(b.readerIndex(), blockLength);
        int base = b.readerIndex() - block.readerIndex();
        while (block.isReadable()) {
            int entryStart = block.readerIndex();
            int type = Wire.readInt1(block, "session state type");
            int dataLength = Wire.readLenencLength(block, "session state data");
            int dataStart = block.readerIndex();
            block.skipBytes(dataLength);
            boolean reported;
            int rank = -1;
            if (type == SessionStateChange.SYSTEM_VARIABLES) {
                String name = variableName(block, dataStart, dataLength);
                reported = view.reportsVariable(name);
                rank = view.rank(name);
            } else {
                reported = view.reportsType(type);
            }
            if (reported) {
                kept.add(new int[] {base + entryStart, base + block.readerIndex(), type, rank});
            }
        }
        return kept;
    }

    /** The lower-case name that starts a system-variable entry's data (a length byte: names are short). */
    private static String variableName(ByteBuf block, int dataStart, int dataLength) {
        int length = dataLength == 0 ? 0 : block.getUnsignedByte(dataStart);
        if (length >= Wire.NULL_MARKER || length > dataLength - 1) {
            throw new ProtocolException("session state system variable: bad name length " + length);
        }
        return block.toString(dataStart + 1, length, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
    }

    /**
     * Puts the system-variable entries in the client's order (into the places system-variable entries hold); true
     * when that changed anything.
     */
    private static boolean order(ByteBuf payload, List<int[]> kept, ClientTrackerView view) {
        if (!view.ordered()) {
            return false;
        }
        List<int[]> variables = new ArrayList<>();
        for (int[] entry : kept) {
            if (entry[3] >= 0) {
                variables.add(entry);
            }
        }
        if (variables.size() < 2) {
            return false;
        }
        List<int[]> sorted = new ArrayList<>(variables);
        sorted.sort((a, b) -> Integer.compare(a[3], b[3]));
        if (sorted.equals(variables)) {
            return false;
        }
        int next = 0;
        for (int i = 0; i < kept.size(); i++) {
            if (kept.get(i)[3] >= 0) {
                kept.set(i, sorted.get(next++));
            }
        }
        return true;
    }

    private static int skipLenenc(ByteBuf payload, int index, int end) {
        if (index >= end) {
            throw new ProtocolException("OK packet: ends inside its affected rows / last insert id");
        }
        int first = payload.getUnsignedByte(index);
        int size = first < Wire.NULL_MARKER
                ? 1
                : first == Wire.LENENC_2 ? 3 : first == Wire.LENENC_3 ? 4 : first == Wire.LENENC_8 ? 9 : -1;
        if (size < 0) {
            throw new ProtocolException(
                    "OK packet: invalid first byte 0x" + Integer.toHexString(first) + " of a length-encoded integer");
        }
        return index + size;
    }
}
