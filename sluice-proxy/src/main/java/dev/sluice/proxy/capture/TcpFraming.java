package dev.sluice.proxy.capture;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Dresses the MySQL packets of one client link as Ethernet/IPv4 (or IPv6)/TCP frames between the client's real
 * address and port and Sluice's listening address and port, so that a dissector reads them as the connection they
 * were: each packet re-framed with its header (length, sequence id) and carried in TCP segments whose sequence and
 * acknowledgement numbers follow both directions' byte counts (a packet the capture does not hold leaves a gap of
 * its size, as a lost segment does). The connection's start (SYN, SYN-ACK, ACK) is shown when the capture holds the
 * greeting. Segments carry at most 64000 bytes; the part of a packet the capture kept only the head of is declared in
 * the blocks' original length.
 */
final class TcpFraming {
    static final int SEGMENT = 64_000;
    private static final long CLIENT_ISN = 0x1000_0000L;
    private static final long SERVER_ISN = 0x2000_0000L;
    private static final byte[] CLIENT_MAC = {0x02, 0, 0, 0, 0, 0x01};
    private static final byte[] SERVER_MAC = {0x02, 0, 0, 0, 0, 0x02};
    private static final int SYN = 0x02;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    /**
     * Cleared in the client's HandshakeResponse41 as files show it: CLIENT_SSL (the packets are shown decrypted; with
     * the bit the dissector expects TLS records next), CLIENT_COMPRESS and CLIENT_ZSTD_COMPRESSION_ALGORITHM (shown
     * decompressed).
     */
    private static final int CLEARED_CAPABILITIES = 0x800 | 0x20 | 0x0400_0000;

    private final byte[] clientIp;
    private final byte[] serverIp;
    private final int clientPort;
    private final int serverPort;
    private final boolean v6;

    TcpFraming(InetSocketAddress client, InetSocketAddress server) {
        InetAddress c = client.getAddress();
        InetAddress s = server.getAddress();
        this.v6 = c instanceof Inet6Address || s instanceof Inet6Address;
        this.clientIp = v6 ? sixteen(c) : c.getAddress();
        this.serverIp = v6 ? sixteen(s) : s.getAddress();
        this.clientPort = client.getPort();
        this.serverPort = server.getPort();
    }

    /** An IPv4 address as ::ffff:a.b.c.d when the other end is IPv6. */
    private static byte[] sixteen(InetAddress a) {
        if (a instanceof Inet4Address) {
            byte[] v4 = a.getAddress();
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(v4, 0, mapped, 12, 4);
            return mapped;
        }
        return a.getAddress();
    }

    /** The three segments that open the connection, timed at {@code micros}. */
    void opening(long micros, Consumer<byte[]> blocks) {
        blocks.accept(segment(true, CLIENT_ISN, 0, SYN, micros, new byte[0], 0, 0));
        blocks.accept(segment(false, SERVER_ISN, CLIENT_ISN + 1, SYN | ACK, micros, new byte[0], 0, 0));
        blocks.accept(segment(true, CLIENT_ISN + 1, SERVER_ISN + 1, ACK, micros, new byte[0], 0, 0));
    }

    /** The Enhanced Packet Blocks carrying one packet. */
    void packet(CapturedFrame f, Consumer<byte[]> blocks) {
        byte[] wire = new byte[4 + f.head().length];
        int first = Math.min(f.length(), 0xFFFFFF);
        wire[0] = (byte) first;
        wire[1] = (byte) (first >>> 8);
        wire[2] = (byte) (first >>> 16);
        wire[3] = (byte) f.sequenceId();
        System.arraycopy(f.head(), 0, wire, 4, f.head().length);
        if (f.handshakeResponse() && f.head().length >= 4) {
            for (int i = 0; i < 4; i++) {
                wire[4 + i] &= (byte) ~(CLEARED_CAPABILITIES >>> (8 * i));
            }
        }
        long total = f.wireLength();
        long own = (f.fromClient() ? CLIENT_ISN : SERVER_ISN) + 1;
        long peer = (f.fromClient() ? SERVER_ISN : CLIENT_ISN) + 1;
        for (long at = 0; at < total; at += SEGMENT) {
            int size = (int) Math.min(SEGMENT, total - at);
            int kept = (int) Math.max(0, Math.min(size, wire.length - at));
            blocks.accept(segment(
                    f.fromClient(),
                    own + f.offset() + at,
                    peer + f.peerOffset(),
                    PSH | ACK,
                    f.micros(),
                    wire,
                    (int) Math.min(at, wire.length),
                    kept,
                    size));
        }
    }

    private byte[] segment(boolean fromClient, long seq, long ack, int flags, long micros, byte[] data, int at, int n) {
        return segment(fromClient, seq, ack, flags, micros, data, at, n, n);
    }

    /** One Enhanced Packet Block: Ethernet, IP and TCP headers, then {@code n} of {@code size} payload bytes. */
    private byte[] segment(
            boolean fromClient, long seq, long ack, int flags, long micros, byte[] data, int at, int n, int size) {
        int ipHeader = v6 ? 40 : 20;
        int headers = 14 + ipHeader + 20;
        ByteBuffer b = ByteBuffer.allocate(headers + n); // network order
        b.put(fromClient ? SERVER_MAC : CLIENT_MAC);
        b.put(fromClient ? CLIENT_MAC : SERVER_MAC);
        b.putShort((short) (v6 ? 0x86DD : 0x0800));
        byte[] src = fromClient ? clientIp : serverIp;
        byte[] dst = fromClient ? serverIp : clientIp;
        if (v6) {
            b.putInt(0x6000_0000);
            b.putShort((short) (20 + size));
            b.put((byte) 6); // next header: TCP
            b.put((byte) 64); // hop limit
            b.put(src);
            b.put(dst);
        } else {
            int start = b.position();
            b.put((byte) 0x45);
            b.put((byte) 0);
            b.putShort((short) (20 + 20 + size));
            b.putShort((short) 0); // identification
            b.putShort((short) 0x4000); // don't fragment
            b.put((byte) 64); // TTL
            b.put((byte) 6); // TCP
            b.putShort((short) 0); // checksum, below
            b.put(src);
            b.put(dst);
            b.putShort(start + 10, ipv4Checksum(b.array(), start));
        }
        b.putShort((short) (fromClient ? clientPort : serverPort));
        b.putShort((short) (fromClient ? serverPort : clientPort));
        b.putInt((int) seq);
        b.putInt((flags & ACK) != 0 ? (int) ack : 0);
        b.put((byte) 0x50); // header of 5 words
        b.put((byte) flags);
        b.putShort((short) 0xFFFF); // window
        b.putShort((short) 0); // checksum: not computed (Wireshark does not check it by default)
        b.putShort((short) 0); // urgent pointer
        b.put(data, at, n);
        return PcapngBlocks.enhancedPacket(micros, b.array(), headers + n, headers + size);
    }

    private static short ipv4Checksum(byte[] header, int start) {
        int sum = 0;
        for (int i = start; i < start + 20; i += 2) {
            sum += ((header[i] & 0xFF) << 8) | (header[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short) ~sum;
    }
}
