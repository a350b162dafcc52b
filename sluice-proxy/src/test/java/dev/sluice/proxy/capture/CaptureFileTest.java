package dev.sluice.proxy.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.protocol.Capability;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pcapng file's blocks as the format defines them, and, with Debian's tshark when it is installed, what the
 * dissector reads of them: over IPv4 and IPv6, across a gap (packets the ring no longer held) and after a packet kept
 * only in part.
 */
class CaptureFileTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("10.1.2.3", 40000);
    static final InetSocketAddress SLUICE = new InetSocketAddress("10.9.8.7", 6033);

    /** A session's packets: greeting, login, OK, then queries; one long query kept as its head only, one gap. */
    static List<CapturedFrame> session() {
        long caps = Capability.CLIENT_PROTOCOL_41
                | Capability.CLIENT_SECURE_CONNECTION
                | Capability.CLIENT_PLUGIN_AUTH
                | Capability.CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA
                | Capability.CLIENT_CONNECT_WITH_DB
                | Capability.CLIENT_DEPRECATE_EOF;
        List<CapturedFrame> frames = new ArrayList<>();
        Streams s = new Streams();
        s.add(frames, false, 0, bytes(AuthRedactionTest.greeting(7)), 0);
        byte[] login = bytes(AuthRedactionTest.login(caps, "app"));
        s.add(frames, true, 1, login, 0);
        s.add(frames, false, 2, new byte[] {0, 0, 0, 2, 0, 0, 0}, 0);
        s.add(frames, true, 0, query("SELECT 'first'"), 0);
        s.add(frames, false, 1, new byte[] {0, 0, 0, 2, 0, 0, 0}, 0);
        s.skip(true, 5000); // what the ring no longer held
        s.skip(false, 700);
        byte[] longQuery = query("SELECT '" + "x".repeat(200_000) + "'");
        s.add(frames, true, 0, longQuery, 300);
        s.add(frames, false, 1, new byte[] {0, 0, 0, 2, 0, 0, 0}, 0);
        s.add(frames, true, 0, query("SELECT 'after'"), 0);
        return frames;
    }

    /** Both directions' byte counts, as SessionCapture keeps them. */
    static final class Streams {
        long client;
        long server;
        long micros = 1_700_000_000_000_000L;

        void add(List<CapturedFrame> frames, boolean fromClient, int seq, byte[] payload, int keepOnly) {
            byte[] head = keepOnly > 0 ? java.util.Arrays.copyOf(payload, keepOnly) : payload;
            frames.add(new CapturedFrame(
                    fromClient,
                    seq,
                    payload.length,
                    head,
                    micros += 100,
                    fromClient ? client : server,
                    fromClient ? server : client,
                    seq == 1 && fromClient));
            skip(fromClient, CapturedFrame.wireLength(payload.length));
        }

        void skip(boolean fromClient, long n) {
            if (fromClient) {
                client += n;
            } else {
                server += n;
            }
        }
    }

    static byte[] query(String sql) {
        byte[] text = sql.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[text.length + 1];
        p[0] = 3;
        System.arraycopy(text, 0, p, 1, text.length);
        return p;
    }

    static byte[] bytes(ByteBuf b) {
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), out);
        return out;
    }

    @Test
    void blocksAreWhatPcapngDefines() {
        byte[] file = CaptureFile.whole(7, CLIENT, SLUICE, "on demand", session());
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Integer> types = new ArrayList<>();
        while (b.remaining() > 0) {
            int start = b.position();
            int type = b.getInt();
            int length = b.getInt();
            assertThat(length % 4).as("block lengths are multiples of 4").isZero();
            assertThat(b.getInt(start + length - 4)).as("trailing length").isEqualTo(length);
            if (type == PcapngBlocks.SECTION_HEADER) {
                assertThat(b.getInt()).as("byte-order magic").isEqualTo(0x1A2B3C4D);
                assertThat(b.getShort()).as("major").isEqualTo((short) 1);
            } else if (type == PcapngBlocks.INTERFACE_DESCRIPTION) {
                assertThat(b.getShort()).as("link type").isEqualTo((short) PcapngBlocks.LINKTYPE_ETHERNET);
            } else if (type == PcapngBlocks.ENHANCED_PACKET) {
                b.position(start + 20);
                int captured = b.getInt();
                int original = b.getInt();
                assertThat(captured).isLessThanOrEqualTo(original);
                assertThat(PcapngBlocks.pad(captured)).isEqualTo(length - 32);
            }
            types.add(type);
            b.position(start + length);
        }
        assertThat(types.subList(0, 2))
                .containsExactly(PcapngBlocks.SECTION_HEADER, PcapngBlocks.INTERFACE_DESCRIPTION);
        assertThat(types.subList(2, types.size())).containsOnly(PcapngBlocks.ENHANCED_PACKET);
    }

    @Test
    void tsharkReadsEveryPacketOverIpv4AndIpv6AcrossAGapAndAPacketKeptInPart(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(tshark(List.of("--version")) != null, "tshark is not installed");
        for (InetSocketAddress[] ends : List.of(new InetSocketAddress[] {CLIENT, SLUICE}, new InetSocketAddress[] {
            new InetSocketAddress("fd00::5", 40000), new InetSocketAddress("fd00::1", 6033)
        })) {
            Path file = dir.resolve("t.pcapng");
            Files.write(file, CaptureFile.whole(7, ends[0], ends[1], "on demand", session()));
            String out = tshark(List.of(
                    "-r",
                    file.toString(),
                    "-d",
                    "tcp.port==6033,mysql",
                    "-T",
                    "fields",
                    "-E",
                    "separator=/t",
                    "-e",
                    "ip.src",
                    "-e",
                    "ipv6.src",
                    "-e",
                    "mysql.thread_id",
                    "-e",
                    "mysql.user",
                    "-e",
                    "mysql.query"));
            assertThat(out).contains("\t7\t").contains("\tapp\t");
            assertThat(out).contains("SELECT 'first'").contains("SELECT 'after'");
            assertThat(out).contains(ends[0].getAddress().getHostAddress().replace("fd00:0:0:0:0:0:0:5", "fd00::5"));
        }
    }

    /** tshark's standard output, or null when it cannot be run. */
    static String tshark(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("tshark"));
        command.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (java.io.IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
        return out;
    }
}
