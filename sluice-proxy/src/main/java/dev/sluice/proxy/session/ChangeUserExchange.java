package dev.sluice.proxy.session;

import dev.sluice.backend.Authenticator;
import dev.sluice.backend.ConnectOptions;
import dev.sluice.backend.ServerException;
import dev.sluice.backend.ServerTrustException;
import dev.sluice.protocol.Capability;
import dev.sluice.protocol.auth.NativePassword;
import dev.sluice.protocol.message.client.ComChangeUser;
import dev.sluice.protocol.message.server.AuthSwitchRequest;
import dev.sluice.protocol.message.server.ErrPacket;
import dev.sluice.protocol.message.server.OkPacket;
import dev.sluice.protocol.wire.Packet;
import dev.sluice.proxy.accounts.LoadedLogin;
import dev.sluice.proxy.accounts.ServerAccount;
import dev.sluice.proxy.accounts.ServerAccounts;
import dev.sluice.proxy.config.UserConfig;
import dev.sluice.proxy.frontend.Credentials;
import dev.sluice.proxy.frontend.Scrambles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * COM_CHANGE_USER through the proxy. The client re-authenticates against Sluice's users (Sluice always
 * answers with an AuthSwitchRequest to mysql_native_password with a fresh scramble, which every client that
 * speaks CLIENT_PLUGIN_AUTH follows, and which works for users configured with a hash only); then Sluice
 * changes the server connection to that user's server credentials with its own COM_CHANGE_USER and the
 * client gets the OK only when the server said OK. Any refusal closes the session: after a failed change
 * neither side's state is one the client asked for. The client's answer to the switch has the login's deadline,
 * client-handshake-timeout. A user not configured may be an account loaded from the servers: as loaded last, or,
 * when none matches, after a refresh that the change waits for once the client answered (as a login does).
 */
final class ChangeUserExchange implements Exchange {
    private enum Step {
        CLIENT_AUTH,
        /** The client answered for a user Sluice does not know; the servers' accounts are being read again. */
        ACCOUNTS,
        SERVER_AUTH,
        DONE
    }

    private final ClientSession session;
    private final ComChangeUser request;
    private UserConfig user;
    /** The account loaded from the servers the client changes to; null for a configured user. */
    private ServerAccount loaded;

    private final byte[] scramble = Scrambles.next();
    private Step step = Step.CLIENT_AUTH;
    private Authenticator serverAuth;
    private ScheduledFuture<?> clientDeadline;

    private ChangeUserExchange(ClientSession session, ComChangeUser request, UserConfig user, ServerAccount loaded) {
        this.session = session;
        this.request = request;
        this.user = user;
        this.loaded = loaded;
    }

    /** Starts the exchange for a decoded COM_CHANGE_USER; null when it ended at once (unknown user). */
    static ChangeUserExchange start(ClientSession session, ComChangeUser request) {
        UserConfig user = session.context().config().user(request.user());
        ServerAccounts accounts = session.context().accounts();
        ServerAccount loaded = user != null || accounts == null
                ? null
                : accounts.current().match(request.user(), session.remoteHost());
        if (loaded != null && !LoadedLogin.supportedPlugin(loaded)) {
            session.refuseChangeUser(
                    ProxyErrors.loadedAccountPlugin(request.user(), session.remoteHost(), loaded.plugin()),
                    "account " + loaded + " loaded from the servers: its plugin is not mysql_native_password",
                    false);
            return null;
        }
        if (loaded != null) {
            user = LoadedLogin.candidate(request.user(), loaded);
        }
        if (user == null && accounts == null) {
            session.refuseChangeUser(
                    ProxyErrors.accessDenied(request.user(), session.remoteHost(), request.authResponse().length > 0),
                    "unknown user " + request.user(),
                    false);
            return null;
        }
        ChangeUserExchange exchange = new ChangeUserExchange(session, request, user, loaded);
        ByteBuf out = session.output().allocate();
        new AuthSwitchRequest(NativePassword.PLUGIN_NAME, Scrambles.withNul(exchange.scramble)).encode(out);
        session.output().write(out);
        session.output().flush();
        session.output().sequence().expectClientData();
        Duration timeout = session.context().config().timeouts().clientHandshake();
        exchange.clientDeadline = session.schedule(() -> exchange.onClientSilent(timeout), timeout);
        return exchange;
    }

    /** The client did not answer the AuthSwitchRequest within client-handshake-timeout. */
    private void onClientSilent(Duration timeout) {
        if (step != Step.CLIENT_AUTH) {
            return;
        }
        step = Step.DONE;
        session.refuseChangeUser(
                ProxyErrors.badHandshake("COM_CHANGE_USER: no answer to the authentication" + " switch within "
                        + timeout.toMillis() + " ms (client-handshake-timeout)"),
                "no answer from the client to the authentication switch within client-handshake-timeout "
                        + timeout.toMillis() + " ms",
                false);
    }

    @Override
    public void onClientData(Packet packet) {
        clientDeadline.cancel(false);
        byte[] response = ByteBufUtil.getBytes(packet.payload());
        packet.release();
        session.output().sequence().endClientData();
        if (user == null) {
            awaitAccounts(response);
        } else {
            verify(response);
        }
    }

    /** A user neither configured nor loaded: the servers' accounts are read again first (rate-limited). */
    private void awaitAccounts(byte[] response) {
        step = Step.ACCOUNTS;
        session.context()
                .accounts()
                .refresh()
                .whenComplete((snapshot, failure) -> session.schedule(
                        () -> session.guarded("a COM_CHANGE_USER's wait for the accounts", () -> {
                            if (step != Step.ACCOUNTS) {
                                return; // the session ended meanwhile
                            }
                            loaded = snapshot == null ? null : snapshot.match(request.user(), session.remoteHost());
                            if (loaded == null) {
                                step = Step.DONE;
                                session.refuseChangeUser(
                                        ProxyErrors.accessDenied(
                                                request.user(), session.remoteHost(), response.length > 0),
                                        "unknown user " + request.user()
                                                + " (also after a refresh of the servers' accounts)",
                                        false);
                            } else if (!LoadedLogin.supportedPlugin(loaded)) {
                                step = Step.DONE;
                                session.refuseChangeUser(
                                        ProxyErrors.loadedAccountPlugin(
                                                request.user(), session.remoteHost(), loaded.plugin()),
                                        "account " + loaded + " loaded from the servers: its plugin is not"
                                                + " mysql_native_password",
                                        false);
                            } else {
                                user = LoadedLogin.candidate(request.user(), loaded);
                                verify(response);
                            }
                        }),
                        Duration.ZERO));
    }

    private void verify(byte[] response) {
        boolean ok;
        if (loaded != null) {
            UserConfig proven = LoadedLogin.prove(request.user(), loaded, scramble, response);
            ok = proven != null;
            if (ok && loaded.locked()) {
                step = Step.DONE;
                session.refuseChangeUser(ProxyErrors.accountLocked(), "account " + loaded + " is locked", false);
                return;
            }
            user = ok ? proven : user;
        } else {
            ok = verifyConfigured(response);
        }
        if (!ok) {
            step = Step.DONE;
            session.refuseChangeUser(
                    ProxyErrors.accessDenied(user.name(), session.remoteHost(), response.length > 0),
                    "wrong password for " + user.name(),
                    false);
            return;
        }
        step = Step.SERVER_AUTH;
        ConnectOptions options =
                ServerLogin.options(session.serverSide().server(), user).build();
        long serverCapabilities = session.serverSide().capabilities();
        serverAuth = new Authenticator(options, session.serverSide().tls(), serverCapabilities);
        byte[] auth = serverAuth.initialResponse(
                NativePassword.PLUGIN_NAME, session.serverSide().scramble());
        Map<String, String> attributes =
                request.connectAttributes() == null ? null : new LinkedHashMap<>(request.connectAttributes());
        ComChangeUser toServer = new ComChangeUser(
                user.serverUser(),
                auth,
                request.database(),
                collation(),
                Capability.has(serverCapabilities, Capability.CLIENT_PLUGIN_AUTH) ? NativePassword.PLUGIN_NAME : null,
                Capability.has(serverCapabilities, Capability.CLIENT_CONNECT_ATTRS) ? attributes : null);
        ByteBuf out = session.output().allocate();
        toServer.encode(out, serverCapabilities);
        session.serverSide().send(new Packet(0, out), true);
    }

    @Override
    public void onServerPayload(ByteBuf payload) {
        if (step != Step.SERVER_AUTH) {
            throw new dev.sluice.protocol.ProtocolException(
                    "COM_CHANGE_USER: server packet before the client authenticated");
        }
        Authenticator.Step next;
        try {
            next = serverAuth.onPacket(payload);
        } catch (ServerException e) {
            step = Step.DONE;
            ErrPacket err = e.err();
            session.refuseChangeUser(
                    ProxyErrors.fromServerChangingUser(err, user.serverUser()),
                    "server refused the change to " + user.serverUser() + ": " + err,
                    true);
            return;
        } catch (ServerTrustException e) {
            // the server asked for the password in a form a peer could read, over an unverified link: not sent
            step = Step.DONE;
            session.refuseChangeUser(
                    ProxyErrors.serverNotTrusted(session.serverSide().server().name(), e), e.getMessage(), true);
            return;
        }
        if (next instanceof Authenticator.Send send) {
            session.serverSide().send(new Packet(0, Unpooled.wrappedBuffer(send.payload())), false);
        } else if (next instanceof Authenticator.Done done) {
            step = Step.DONE;
            session.userChanged(user, request.database(), collation());
            session.status()
                    .server(done.ok().statusFlags()); // a new session on the server: its state, not the old one's
            session.output()
                    .write(OkPacket.of(0, 0, session.status().flags(), done.ok().warnings()));
        }
    }

    private boolean verifyConfigured(byte[] response) {
        try {
            return Credentials.verifyNative(user, scramble, response);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The character set asked for, or the session's when the client sent none. */
    private int collation() {
        return request.characterSet() == null ? session.serverSide().collation() : request.characterSet();
    }

    @Override
    public boolean awaitingClientData() {
        return step == Step.CLIENT_AUTH;
    }

    @Override
    public boolean isComplete() {
        return step == Step.DONE;
    }

    @Override
    public long rows() {
        return 0;
    }

    @Override
    public String commandName() {
        return "COM_CHANGE_USER";
    }

    @Override
    public void abandon() {
        step = Step.DONE;
        clientDeadline.cancel(false);
    }
}
