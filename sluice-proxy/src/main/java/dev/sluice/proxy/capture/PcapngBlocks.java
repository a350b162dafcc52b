package dev.sluice.proxy.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The three pcapng blocks a capture file needs (pcapng, IETF draft "PCAP Next Generation Dump File Format"), little
 * endian: the Section Header Block (byte-order magic 0x1A2B3C4D, version 1.0, section length unknown, a comment and
 * the writing application as options), one Interface Description Block (LINKTYPE_ETHERNET, microsecond timestamps
 * by default) and Enhanced Packet Blocks (interface 0, a 64-bit timestamp split high/low, captured and original
 * lengths, data padded to 32 bits). Every block's total length is written at both ends.
 */
final class PcapngBlocks {
    static final int SECTION_HEADER = 0x0A0D0D0A;
    static final int INTERFACE_DESCRIPTION = 0x00000001;
    static final int ENHANCED_PACKET = 0x00000006;
    static final int LINKTYPE_ETHERNET = 1;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final short OPT_END = 0;
    private static final short OPT_COMMENT = 1;
    private static final short SHB_USER_APPL = 4;
    private static final short IF_NAME = 2;

    private PcapngBlocks() {}

    /** A Section Header Block with {@code comment} and the application's name as options. */
    static byte[] sectionHeader(String comment, String application) {
        byte[] options = options(OPT_COMMENT, comment, SHB_USER_APPL, application);
        ByteBuffer b = block(SECTION_HEADER, 16 + options.length);
        b.putInt(BYTE_ORDER_MAGIC);
        b.putShort((short) 1); // major version
        b.putShort((short) 0); // minor version
        b.putLong(-1L); // section length not specified
        b.put(options);
        return end(b);
    }

    /** An Interface Description Block for Ethernet frames, named {@code name}, with snapshot length 0 (no limit). */
    static byte[] interfaceDescription(String name) {
        byte[] options = options(IF_NAME, name, (short) -1, null);
        ByteBuffer b = block(INTERFACE_DESCRIPTION, 8 + options.length);
        b.putShort((short) LINKTYPE_ETHERNET);
        b.putShort((short) 0); // reserved
        b.putInt(0); // snaplen: none
        b.put(options);
        return end(b);
    }

    /**
     * An Enhanced Packet Block of interface 0: {@code data} (the captured bytes), {@code originalLength} the length the
     * packet had on the wire (more when the capture kept only its head).
     */
    static byte[] enhancedPacket(long micros, byte[] data, int dataLength, int originalLength) {
        int padded = pad(dataLength);
        ByteBuffer b = block(ENHANCED_PACKET, 20 + padded);
        b.putInt(0); // interface id
        b.putInt((int) (micros >>> 32));
        b.putInt((int) micros);
        b.putInt(dataLength);
        b.putInt(originalLength);
        b.put(data, 0, dataLength);
        b.position(b.position() + padded - dataLength);
        return end(b);
    }

    /** A block of {@code body} bytes: type and total length written, positioned after them. */
    private static ByteBuffer block(int type, int body) {
        int total = 12 + body;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(type);
        b.putInt(total);
        return b;
    }

    /** The trailing total length, and the block's bytes. */
    private static byte[] end(ByteBuffer b) {
        b.putInt(b.capacity());
        return b.array();
    }

    /** Up to two UTF-8 string options (a null value is left out), then opt_endofopt. */
    private static byte[] options(short code1, String value1, short code2, String value2) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        option(out, code1, value1);
        option(out, code2, value2);
        option(out, OPT_END, "");
        return out.toByteArray();
    }

    private static void option(ByteArrayOutputStream out, short code, String value) {
        if (value == null) {
            return;
        }
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(v.length, 0xFFFF - 3);
        ByteBuffer b = ByteBuffer.allocate(4 + pad(length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(code);
        b.putShort((short) length);
        b.put(v, 0, length);
        out.write(b.array(), 0, b.capacity());
    }

    static int pad(int n) {
        return (n + 3) & ~3;
    }
}
