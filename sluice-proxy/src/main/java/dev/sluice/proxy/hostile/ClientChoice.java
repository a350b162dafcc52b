package dev.sluice.proxy.hostile;

import dev.sluice.protocol.message.client.HandshakeResponse41;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults a hostile connection's client chooses at login, in place of the listener's: with the connection
 * attribute {@value #ATTRIBUTE} (faults separated by '+', commas, spaces or semicolons), or, for clients that cannot
 * set attributes (the mariadb CLI), after its user name: {@code app+err-after-rows:100+delay:1} logs in as
 * {@code app}. The attribute wins when both are given. A choice that does not parse is logged and ignored (and a
 * user name whose suffix does not parse is left as it is).
 *
 * @param faults the faults chosen
 * @param login the login packet with the plain user name, to pass on in the original's place; null when the name
 *     carried no faults
 */
record ClientChoice(List<Fault> faults, ByteBuf login) {
    static final String ATTRIBUTE = "sluice_hostile";

    private static final Logger LOG = LoggerFactory.getLogger(ClientChoice.class);
    /** Capabilities, max packet size, character set and filler: where the NUL-terminated user name starts. */
    private static final int USER_OFFSET = 32;

    /** What {@code login} (a HandshakeResponse41 payload, not changed) chooses; null for nothing. */
    static ClientChoice of(ByteBuf login, Object peer) {
        HandshakeResponse41 response;
        try {
            response = HandshakeResponse41.decode(login.duplicate());
        } catch (RuntimeException e) {
            return null; // a login packet the handshake will refuse anyway
        }
        String value = null;
        for (HandshakeResponse41.Attribute a : response.attributes()) {
            if (a.key().equals(ATTRIBUTE)) {
                value = a.value();
            }
        }
        if (value != null) {
            List<Fault> faults = parse(value, ATTRIBUTE, peer);
            return faults == null ? null : new ClientChoice(faults, null);
        }
        int plus = response.username().indexOf('+');
        if (plus <= 0) {
            return null;
        }
        List<Fault> faults = parse(response.username().substring(plus + 1), "the user name", peer);
        return faults == null ? null : new ClientChoice(faults, withoutSuffix(login));
    }

    private static List<Fault> parse(String value, String where, Object peer) {
        try {
            return Fault.checkCombination(Arrays.stream(value.split("[,;+ ]+"))
                    .filter(t -> !t.isBlank())
                    .map(Fault::parse)
                    .toList());
        } catch (IllegalArgumentException e) {
            LOG.warn("hostile connection from {}: faults '{}' in {} ignored: {}", peer, value, where, e.getMessage());
            return null;
        }
    }

    /** A copy of the login whose user name ends before its first '+'; every other byte as it was. */
    private static ByteBuf withoutSuffix(ByteBuf login) {
        int start = login.readerIndex() + USER_OFFSET;
        int nul = login.indexOf(start, login.writerIndex(), (byte) 0);
        int plus = login.indexOf(start, nul, (byte) '+');
        ByteBuf out = Unpooled.buffer(login.readableBytes());
        out.writeBytes(login, login.readerIndex(), plus - login.readerIndex());
        out.writeBytes(login, nul, login.writerIndex() - nul);
        return out;
    }
}
