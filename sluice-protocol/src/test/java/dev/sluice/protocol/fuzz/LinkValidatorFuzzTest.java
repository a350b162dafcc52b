package dev.sluice.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.message.client.HandshakeResponse41;
import dev.sluice.protocol.message.server.HandshakeV10;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.validate.LinkValidator;
import dev.sluice.protocol.validate.Violation;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing of the strict validator: after a login with fuzzed capabilities, arbitrary packets in both directions
 * with arbitrary sequence ids. The validator may report (at most once) and must never fault itself (its
 * {@link LinkValidator#fault()} stays null: any exception of its own, IndexOutOfBounds, NegativeArraySize, would be
 * one), nor let an exception out, nor hang. Allocation is by what arrives, never by a size the peer claims: a column
 * count of 16 million followed by one definition must not allocate for 16 million (the run stays in the default
 * heap with thousands of such packets). {@link #mutatedScripts} runs in every build (a fixed random seed, 10,000
 * mutated sessions); the {@link FuzzTest} runs its regression inputs, or fuzzes with JAZZER_FUZZ=1.
 */
class LinkValidatorFuzzTest {
    private static final long[] CAPS = {
        Capability.CLIENT_DEPRECATE_EOF,
        Capability.CLIENT_SESSION_TRACK,
        Capability.CLIENT_LOCAL_FILES,
        Capability.CLIENT_MULTI_RESULTS,
        Capability.CLIENT_PS_MULTI_RESULTS,
        Capability.MARIADB_CLIENT_CACHE_METADATA,
        Capability.MARIADB_CLIENT_EXTENDED_METADATA,
        Capability.MARIADB_CLIENT_PROGRESS,
        Capability.CLIENT_TRANSACTIONS
    };

    @FuzzTest(maxDuration = "30s")
    void packets(FuzzedDataProvider data) {
        long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION | Capability.CLIENT_PLUGIN_AUTH;
        for (long c : CAPS) {
            if (data.consumeBoolean()) {
                caps |= c;
            }
        }
        boolean enforce = data.consumeBoolean();
        List<Violation> seen = new ArrayList<>();
        LinkValidator v = login(caps, enforce, seen);
        while (data.remainingBytes() > 0) {
            boolean fromClient = data.consumeBoolean();
            int seq = data.consumeInt(0, 255);
            byte[] payload = data.consumeBytes(data.consumeInt(0, 96));
            feed(v, fromClient, seq, payload);
        }
        check(v, seen);
    }

    /** Valid-looking sessions with a few bytes and ids changed: reaches deep into results before breaking them. */
    /** The scripts themselves are clean: what the mutations find is theirs. */
    @Test
    void unmutatedScriptsPass() {
        for (int c = 0; c < 1 << CAPS.length; c++) {
            long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION;
            for (int i = 0; i < CAPS.length; i++) {
                if ((c & (1 << i)) != 0) {
                    caps |= CAPS[i];
                }
            }
            List<Violation> seen = new ArrayList<>();
            LinkValidator v = login(caps, true, seen);
            for (Scripts.Step step : Scripts.session(caps, 120)) {
                feed(v, step.fromClient(), step.seq(), step.payload());
            }
            assertThat(v.fault()).isNull();
            assertThat(seen).as("capabilities 0x%x", caps).isEmpty();
        }
    }

    @Test
    void mutatedScripts() {
        Random random = new Random(14);
        for (int run = 0; run < 10_000; run++) {
            long caps = Capability.CLIENT_PROTOCOL_41 | Capability.CLIENT_SECURE_CONNECTION;
            for (long c : CAPS) {
                if (random.nextBoolean()) {
                    caps |= c;
                }
            }
            List<Violation> seen = new ArrayList<>();
            LinkValidator v = login(caps, random.nextBoolean(), seen);
            for (Scripts.Step step : Scripts.session(caps, random.nextInt(1000))) {
                byte[] p = step.payload().clone();
                if (p.length > 0 && random.nextInt(12) == 0) {
                    p[random.nextInt(p.length)] = (byte) random.nextInt(256);
                }
                int id = random.nextInt(40) == 0 ? random.nextInt(256) : step.seq();
                feed(v, step.fromClient(), id, p);
            }
            check(v, seen);
        }
    }

    private static void feed(LinkValidator v, boolean fromClient, int seq, byte[] payload) {
        ByteBuf b = Unpooled.wrappedBuffer(payload);
        int reader = b.readerIndex();
        int writer = b.writerIndex();
        if (fromClient) {
            v.read(b, seq);
        } else {
            v.written(b, seq);
        }
        assertThat(b.readerIndex()).isEqualTo(reader);
        assertThat(b.writerIndex()).isEqualTo(writer);
    }

    private static void check(LinkValidator v, List<Violation> seen) {
        if (v.fault() != null) {
            throw new AssertionError("the validator faulted", v.fault());
        }
        assertThat(seen).hasSizeLessThanOrEqualTo(1);
        for (Violation x : seen) {
            assertThat(x.hex().length()).isLessThanOrEqualTo(2 * Violation.EXCERPT);
            assertThat(x.logLine()).doesNotContain("\n");
        }
    }

    static LinkValidator login(long caps, boolean enforce, List<Violation> seen) {
        LinkValidator v = new LinkValidator("fuzz", 1 << 20, enforce, seen::add);
        write(v, 0, b -> new HandshakeV10("8.0", 1, new byte[20], caps, 33, 2, "mysql_native_password").encode(b));
        ByteBuf r = Unpooled.buffer();
        new HandshakeResponse41(caps, 1 << 24, 33, "u", new byte[20], null, null, List.of(), 0).encode(r);
        v.read(r, 1);
        r.release();
        write(v, 2, b -> OkPacket.of(0, 0, 2, 0).encode(b, caps));
        return v;
    }

    private static void write(LinkValidator v, int seq, Consumer<ByteBuf> payload) {
        ByteBuf b = Unpooled.buffer();
        payload.accept(b);
        v.written(b, seq);
        b.release();
    }
}
