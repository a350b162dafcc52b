package dev.sluice.proxy.capture;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The bytes of a pcapng capture of one session: the section header (its comment says which session, why it was
 * captured, the ports to decode as MySQL, and what was left out), the interface, then each packet kept, framed by
 * {@link TcpFraming}. A file is the start ({@link #header}) followed by packets ({@link #packets}): a continuous
 * capture appends packets as they come.
 */
final class CaptureFile {
    private CaptureFile() {}

    /**
     * @param reason why this capture was written ("on-error: ...", "on demand", "continuous")
     */
    static byte[] header(long sessionId, InetSocketAddress client, InetSocketAddress server, String reason) {
        String comment = "Sluice session " + sessionId + ", client " + format(client) + ", Sluice " + format(server)
                + "; " + reason + ". The MySQL packets of the client link after TLS and decompression (an SSLRequest"
                + " is left out, the login's TLS and compression flags cleared), passwords and auth data zeroed. Decode as MySQL:"
                + " tshark -d tcp.port==" + server.getPort() + ",mysql";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PcapngBlocks.sectionHeader(comment, "Sluice"));
        out.writeBytes(PcapngBlocks.interfaceDescription("sluice-session-" + sessionId));
        return out.toByteArray();
    }

    /** The blocks of {@code frames} (in the order they passed), with the connection's opening when it is held. */
    static byte[] packets(TcpFraming framing, List<CapturedFrame> frames, boolean withOpening) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (withOpening && !frames.isEmpty()) {
            CapturedFrame first = frames.get(0);
            if (first.offset() == 0 && first.peerOffset() == 0) {
                framing.opening(first.micros(), out::writeBytes);
            }
        }
        for (CapturedFrame f : frames) {
            framing.packet(f, out::writeBytes);
        }
        return out.toByteArray();
    }

    /** A whole file: header, opening and packets. */
    static byte[] whole(
            long sessionId,
            InetSocketAddress client,
            InetSocketAddress server,
            String reason,
            List<CapturedFrame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(sessionId, client, server, reason));
        out.writeBytes(packets(new TcpFraming(client, server), frames, true));
        return out.toByteArray();
    }

    static String format(InetSocketAddress a) {
        String host =
                a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
