package dev.sluice.protocol.validate;

import io.netty.buffer.ByteBuf;

/**
 * Which statements may change the two modes an OK's status flags carry for the whole session, AUTOCOMMIT and
 * NO_BACKSLASH_ESCAPES (from sql_mode): a text naming {@code autocommit} or {@code sql_mode}, or one that runs other
 * code ({@code CALL}, {@code EXECUTE}); any case, anywhere in the text. Generous on purpose: a statement wrongly
 * allowed costs a missed report, one wrongly refused a false one. Seed 004's OK, its status flags shifted by a byte,
 * flips both modes after an INSERT, which names neither.
 */
final class ModeChanges {
    private static final byte[][] WORDS = {
        bytes("autocommit"), bytes("sql_mode"), bytes("call"), bytes("execute"),
    };

    private ModeChanges() {}

    /** Whether the statement text from {@code from} to the end of {@code p} may change the session's modes. */
    static boolean mayChange(ByteBuf p, int from) {
        int end = p.writerIndex();
        for (int i = p.readerIndex() + from; i < end; i++) {
            int b = p.getByte(i) | 0x20;
            if (b == 'a' || b == 's' || b == 'c' || b == 'e') {
                for (byte[] word : WORDS) {
                    if (word[0] == b && matches(p, i, end, word)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean matches(ByteBuf p, int at, int end, byte[] word) {
        if (end - at < word.length) {
            return false;
        }
        for (int k = 1; k < word.length; k++) {
            int b = p.getByte(at + k);
            // letters compare in either case; '_' as itself
            if ((word[k] == '_' ? b : b | 0x20) != word[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] bytes(String word) {
        return word.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
