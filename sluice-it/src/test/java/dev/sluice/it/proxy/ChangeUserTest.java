package dev.sluice.it.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.backend.pool.PoolStats;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.proxy.config.Limits;
import dev.sluice.proxy.config.ProxyConfig;
import dev.sluice.proxy.config.Timeouts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.testkit.MariaDbSandboxExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * COM_CHANGE_USER through Sluice (issue 10, item 7): a silent re-acquire after it opens the database the client
 * asked for, not the login's; a client that never answers the authentication switch gets the login's deadline;
 * a wrong password costs the server nothing (no KILL connection), with a raw client and with MySQL Connector/J's
 * {@code changeUser}.
 */
class ChangeUserTest {
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    /** A Sluice user whose server password is wrong: the server refuses Sluice's own COM_CHANGE_USER. */
    private static final String MISMAPPED = "mismapped";

    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int LATIN1_SWEDISH_CI = 8;

    @RegisterExtension
    static MariaDbSandboxExtension db = MariaDbSandboxExtension.builder()
            .user(ProxyFixture.USER, ProxyFixture.PASSWORD)
            .initSql("CREATE DATABASE test", "CREATE DATABASE other")
            .build();

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        Timeouts timeouts = new Timeouts(Duration.ofSeconds(10), HANDSHAKE_TIMEOUT, Duration.ofSeconds(60), null, null);
        ProxyConfig config = ProxyFixture.config(
                db.sandbox(),
                db.sandbox().host(),
                db.sandbox().port(),
                ProxyFixture.NO_TLS,
                timeouts,
                Limits.defaults(),
                false);
        List<UserConfig> users = new ArrayList<>(config.users());
        users.add(new UserConfig(MISMAPPED, ProxyFixture.PASSWORD, null, ProxyFixture.USER, "not-the-server-password"));
        fixture = new ProxyFixture(
                db.sandbox(),
                new ProxyConfig(
                        config.listeners(),
                        config.servers(),
                        users,
                        config.clientTls(),
                        config.timeouts(),
                        config.limits(),
                        config.localInfile()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static PoolStats stats() {
        return fixture.proxy.poolStats(ProxyFixture.SERVER);
    }

    /** Sends COM_CHANGE_USER and returns Sluice's AuthSwitchRequest (to mysql_native_password). */
    private static AuthSwitchRequest sendChangeUser(RawClient client, String user, String database) {
        return sendChangeUser(client, user, database, UTF8MB4_GENERAL_CI);
    }

    private static AuthSwitchRequest sendChangeUser(RawClient client, String user, String database, int collation) {
        ComChangeUser change =
                new ComChangeUser(user, new byte[20], database, collation, NativePassword.PLUGIN_NAME, null);
        ByteBuf buf = Unpooled.buffer();
        change.encode(buf, RawClient.CAPABILITIES);
        client.writePacket(0, ByteBufUtil.getBytes(buf));
        RawClient.RawPacket answer = client.read();
        assertThat(answer.first()).as("AuthSwitchRequest header").isEqualTo(AuthSwitchRequest.HEADER);
        return AuthSwitchRequest.decode(Unpooled.wrappedBuffer(answer.payload()));
    }

    private static RawClient.RawPacket answerSwitch(RawClient client, AuthSwitchRequest request, String password) {
        client.writePacket(2, NativePassword.scramble(password.getBytes(StandardCharsets.UTF_8), request.scramble()));
        return client.read();
    }

    @Test
    void afterChangeUserTheNextStatementRunsWithTheDatabaseAndCharsetAskedFor() {
        long changed = stats().discardedCount(PoolStats.DiscardReason.USER_CHANGED);
        try (RawClient client = RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            AuthSwitchRequest request = sendChangeUser(client, ProxyFixture.USER, "other", LATIN1_SWEDISH_CI);
            RawClient.RawPacket ok = answerSwitch(client, request, ProxyFixture.PASSWORD);
            assertThat(ok.first()).as(ok.isErr() ? ok.err().toString() : "OK").isZero();

            // pool.mode transaction: the connection that changed user no longer matches its pool and is not kept
            // between statements; the next statement leases one opened for the new user, database and charset
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stats().discardedCount(PoolStats.DiscardReason.USER_CHANGED) > changed);
            assertThat(client.query("SELECT DATABASE(), CURRENT_USER(), @@character_set_client"))
                    .containsExactly(List.of("other", "app@%", "latin1"));
        }
    }

    @Test
    void aClientThatNeverAnswersTheSwitchGetsTheHandshakeDeadline() {
        long kills = stats().killCount();
        try (RawClient client = RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            sendChangeUser(client, ProxyFixture.USER, "other");
            long start = System.nanoTime();
            RawClient.RawPacket answer = client.read(); // RawClient waits 10 s at most
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(answer.isErr()).isTrue();
            ErrPacket err = answer.err();
            assertThat(err.errorCode()).isEqualTo(1043);
            assertThat(err.message()).contains("COM_CHANGE_USER").contains("client-handshake-timeout");
            assertThat(millis).isBetween(HANDSHAKE_TIMEOUT.toMillis() - 500, HANDSHAKE_TIMEOUT.toMillis() + 3000);
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(stats().killCount()).as("KILL connections").isEqualTo(kills);
    }

    @Test
    void aWrongPasswordOpensNoKillConnection() {
        long kills = stats().killCount();
        try (RawClient client = RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            AuthSwitchRequest request = sendChangeUser(client, ProxyFixture.USER, "other");
            RawClient.RawPacket answer = answerSwitch(client, request, "wrong");

            assertThat(answer.isErr()).isTrue();
            assertThat(answer.err().errorCode()).isEqualTo(1045);
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(stats().killCount()).as("KILL connections").isEqualTo(kills);
    }

    @Test
    void aChangeTheServerRefusesOpensNoKillConnectionAndTheConnectionIsNotReused() {
        long kills = stats().killCount();
        long changed = stats().discardedCount(PoolStats.DiscardReason.USER_CHANGED);
        try (RawClient client = RawClient.login(fixture.port(), ProxyFixture.USER, ProxyFixture.PASSWORD, "test")) {
            AuthSwitchRequest request = sendChangeUser(client, MISMAPPED, "test");
            RawClient.RawPacket answer = answerSwitch(client, request, ProxyFixture.PASSWORD);

            assertThat(answer.isErr()).isTrue();
            assertThat(answer.err().errorCode()).isEqualTo(1045);
            assertThat(answer.err().message()).contains("(sluice: changing the server connection to app)");
            assertThat(client.closedByPeer()).isTrue();
        }
        // its user after a refused change is unknown: discarded, never pooled again
        await().atMost(Duration.ofSeconds(10))
                .until(() -> stats().discardedCount(PoolStats.DiscardReason.USER_CHANGED) == changed + 1);
        assertThat(stats().killCount()).as("KILL connections").isEqualTo(kills);
    }

    @Test
    void aWrongPasswordFromConnectorJOpensNoKillConnection() throws Exception {
        long kills = stats().killCount();
        try (Connection c = fixture.mysql("")) {
            assertThatThrownBy(() ->
                            c.unwrap(com.mysql.cj.jdbc.JdbcConnection.class).changeUser("app", "wrong"))
                    .isInstanceOf(SQLException.class)
                    .satisfies(
                            e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1045));
        }
        assertThat(stats().killCount()).as("KILL connections").isEqualTo(kills);
    }
}
