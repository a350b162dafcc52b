package dev.sluice.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private mariadbd on a free loopback port with a throwaway data directory, for tests and the demo.
 *
 * <p>Start: the system tables come from a per-JVM template made by mariadb-install-db (see {@link SandboxDirs});
 * root's password, the users and the init SQL go into an --init-file used at the first start only, which is faster
 * than running the mariadb client afterwards and means a greeting on the port already implies a finished setup.
 *
 * <p>Orphans: mariadbd runs under a small shell script (launch-mariadbd.sh) that polls this JVM's pid and SIGKILLs the
 * server and deletes the directory when the JVM is gone, also after SIGKILL. A shutdown hook does the same at once on
 * a normal exit, and the first sandbox of a JVM sweeps directories left by dead JVMs.
 *
 * <p>Lifecycle: {@link #start()} (again after {@link #stop()} or {@link #kill()}: same data, same port),
 * {@link #restart()}, {@link #pause()} (SIGSTOP), {@link #resume()}, {@link #kill()} (SIGKILL, for crash tests) and
 * {@link #close()}. Methods are synchronized; the class is not on any hot path.
 */
public final class MariaDbSandbox implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String ROOT_PASSWORD = "root";
    private static final int BIND_ATTEMPTS = 4;

    private enum State {
        NEW,
        RUNNING,
        PAUSED,
        STOPPED,
        CLOSED
    }

    private final String name;
    private final Map<String, String> options;
    private final boolean tls;
    private final boolean requireSecureTransport;
    private final List<SandboxUser> users;
    private final List<String> initSql;
    private final Duration startTimeout;
    private final Duration stopTimeout;

    private State state = State.NEW;
    private Path dir;
    private TlsFiles tlsFiles;
    private int port;
    private Process launcher;
    private long pid = -1;
    private Duration lastStartDuration = Duration.ZERO;

    MariaDbSandbox(
            String name,
            Map<String, String> options,
            boolean tls,
            boolean requireSecureTransport,
            List<SandboxUser> users,
            List<String> initSql,
            Duration startTimeout,
            Duration stopTimeout) {
        this.name = name;
        this.options = options;
        this.tls = tls;
        this.requireSecureTransport = requireSecureTransport;
        this.users = users;
        this.initSql = initSql;
        this.startTimeout = startTimeout;
        this.stopTimeout = stopTimeout;
    }

    public static MariaDbSandboxBuilder builder() {
        return new MariaDbSandboxBuilder();
    }

    /** Starts the server: the first time with a fresh data directory, later with the same data and port. */
    public synchronized MariaDbSandbox start() {
        switch (state) {
            case RUNNING, PAUSED -> throw new IllegalStateException(describe() + " is already running");
            case CLOSED -> throw new IllegalStateException(describe() + " is closed");
            case NEW -> firstStart();
            case STOPPED -> launchAndAwait(false, false);
            default -> throw new IllegalStateException("state " + state);
        }
        return this;
    }

    private void firstStart() {
        long begin = System.nanoTime();
        SandboxDirs.sweepOnce();
        MariaDbInstall.ensure();
        Path template = SandboxDirs.template();
        dir = SandboxDirs.create(name);
        SandboxCleanup.register(this);
        try {
            SandboxDirs.copyTree(template, dir.resolve("data"));
            if (tls) {
                tlsFiles = TlsFiles.generate(dir.resolve("tls"));
            }
            Files.writeString(initFile(), ServerCommand.setupSql(ROOT_PASSWORD, users, initSql));
            for (int attempt = 1; ; attempt++) {
                port = freePort();
                if (launchAndAwait(true, attempt < BIND_ATTEMPTS)) {
                    break;
                }
            }
            lastStartDuration = Duration.ofNanos(System.nanoTime() - begin);
        } catch (IOException | RuntimeException e) {
            close();
            if (e instanceof SandboxException se) {
                throw se;
            }
            throw new SandboxException(describe() + " failed to start: " + e.getMessage(), e);
        }
    }

    /**
     * Launches mariadbd and waits for its greeting. Returns false only when the port was taken and the caller may
     * retry with another; any other failure throws with the tail of the error log.
     */
    private boolean launchAndAwait(boolean first, boolean mayRetryBind) {
        long begin = System.nanoTime();
        long logOffset = errorLogSize();
        launch(first);
        ServerReadiness.Outcome outcome;
        try {
            outcome = ServerReadiness.await(LOOPBACK, port, launcher::isAlive, startTimeout);
        } catch (SandboxException e) {
            killProcess();
            throw new SandboxException(
                    describe() + ": " + e.getMessage() + "; error log:\n" + errorLogSince(logOffset));
        }
        String log = errorLogSince(logOffset);
        if (outcome == ServerReadiness.Outcome.EXITED || !log.contains("ready for connections")) {
            // a greeting without our "ready" line came from another server that got the port first
            killProcess();
            if (mayRetryBind && (log.contains("Address already in use") || log.contains("Bind on TCP/IP port"))) {
                return false;
            }
            throw new SandboxException(describe() + " did not start (exit code " + exitCode() + "); error log:\n"
                    + SandboxDirs.tail(log, 30));
        }
        state = State.RUNNING;
        if (first) {
            // --init-file stops at the first failing statement, logs "ERROR: <code> <message>" and serves anyway
            for (String line : log.split("\n")) {
                if (line.startsWith("ERROR: ")) {
                    killProcess();
                    throw new SandboxException(describe() + ": setup SQL failed: "
                            + line.substring(7).strip());
                }
            }
        }
        lastStartDuration = Duration.ofNanos(System.nanoTime() - begin);
        return true;
    }

    private void launch(boolean first) {
        List<String> command = ServerCommand.launcher(dir);
        command.addAll(ServerCommand.mariadbd(
                dir, port, socket(), tlsFiles, requireSecureTransport, users, options, first ? initFile() : null));
        try {
            launcher = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Processes.devNull()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("launcher.log").toFile()))
                    .start();
            try (InputStream stdout = launcher.getInputStream()) {
                String line = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.US_ASCII)).readLine();
                if (line == null) {
                    launcher.waitFor(5, TimeUnit.SECONDS);
                    throw new SandboxException(describe() + ": launcher exited before starting mariadbd: "
                            + Files.readString(dir.resolve("launcher.log")));
                }
                pid = Long.parseLong(line.trim());
            }
        } catch (IOException e) {
            throw new SandboxException(describe() + ": cannot launch mariadbd: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(describe() + ": interrupted while launching", e);
        }
    }

    private Path initFile() {
        return dir.resolve("init.sql");
    }

    public synchronized void stop() {
        if (state != State.RUNNING && state != State.PAUSED) {
            return;
        }
        resumeIfPaused();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        if (!awaitLauncherExit(stopTimeout)) {
            killProcess();
        }
        state = State.STOPPED;
    }

    public synchronized void restart() {
        stop();
        start();
    }

    /** SIGKILL: the server gets no chance to flush; {@link #start()} afterwards runs InnoDB crash recovery. */
    public synchronized void kill() {
        if (state != State.RUNNING && state != State.PAUSED) {
            return;
        }
        killProcess();
        state = State.STOPPED;
    }

    /** SIGSTOP: connections stay open but nothing answers, as with a hung server. */
    public synchronized void pause() {
        requireRunning();
        if (state == State.RUNNING) {
            Processes.signal(pid, "STOP");
            state = State.PAUSED;
        }
    }

    public synchronized void resume() {
        requireRunning();
        resumeIfPaused();
    }

    /** Kills the server (its data is thrown away, so no clean shutdown) and deletes the directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        if (launcher != null) {
            killProcess();
        }
        state = State.CLOSED;
        SandboxCleanup.unregister(this);
        if (dir != null) {
            SandboxDirs.deleteRecursively(dir);
        }
    }

    /**
     * Runs SQL with the {@code mariadb} client as root over the unix socket (allowed even with
     * require_secure_transport) and returns its batch output: tab-separated rows, no column names.
     */
    public String execute(String sql) {
        return runClient(sql, "--skip-column-names");
    }

    /**
     * Like {@link #execute(String)} but one {@code name: value} line per column and a {@code *** N. row ***} line per
     * row (the client's --vertical), for results read by column name such as SHOW SLAVE STATUS.
     */
    String executeVertical(String sql) {
        return runClient(sql, "--vertical");
    }

    private String runClient(String sql, String format) {
        Path socket;
        synchronized (this) {
            requireRunning();
            socket = socket();
        }
        List<String> command = List.of(
                MariaDbInstall.client().toString(),
                "--no-defaults",
                "--protocol=SOCKET",
                "--socket=" + socket,
                "--user=root",
                "--batch",
                format,
                "--execute=" + sql);
        Processes.Result result = Processes.run(command, Duration.ofSeconds(60), Map.of("MYSQL_PWD", ROOT_PASSWORD));
        if (result.exitCode() != 0) {
            throw new SandboxException(describe() + ": mariadb client failed on " + sql + ": " + result.stderr());
        }
        return result.stdout();
    }

    public synchronized boolean isRunning() {
        return (state == State.RUNNING || state == State.PAUSED) && launcher != null && launcher.isAlive();
    }

    public synchronized boolean isPaused() {
        return state == State.PAUSED;
    }

    public String host() {
        return LOOPBACK.getHostAddress();
    }

    /** The TCP port; fixed at the first start and kept across restarts. */
    public synchronized int port() {
        requireStarted();
        return port;
    }

    public String rootUser() {
        return "root";
    }

    public String rootPassword() {
        return ROOT_PASSWORD;
    }

    /** The pid of the current mariadbd process (a new one after each start). */
    public synchronized long pid() {
        requireStarted();
        return pid;
    }

    public synchronized Path directory() {
        requireStarted();
        return dir;
    }

    public synchronized Path socket() {
        requireStarted();
        return dir.resolve("mysqld.sock");
    }

    public synchronized Path errorLog() {
        requireStarted();
        return dir.resolve("error.log");
    }

    /** The certificates, when built with {@code tls()}. */
    public synchronized Optional<TlsFiles> tlsFiles() {
        return Optional.ofNullable(tlsFiles);
    }

    public String name() {
        return name;
    }

    /** Wall time of the last start; the first includes copying the template and making TLS files. */
    public synchronized Duration lastStartDuration() {
        return lastStartDuration;
    }

    @Override
    public String toString() {
        return describe();
    }

    private String describe() {
        return "sandbox " + name + (port > 0 ? " (127.0.0.1:" + port + ")" : "");
    }

    private void requireStarted() {
        if (dir == null) {
            throw new IllegalStateException(describe() + " was never started");
        }
    }

    private void requireRunning() {
        if (state != State.RUNNING && state != State.PAUSED) {
            throw new IllegalStateException(describe() + " is not running (" + state + ")");
        }
    }

    private void resumeIfPaused() {
        if (state == State.PAUSED) {
            Processes.signal(pid, "CONT");
            state = State.RUNNING;
        }
    }

    /** SIGCONT first: a stopped process does not act on SIGTERM, and SIGKILL'd it must still be reaped. */
    private void killProcess() {
        if (pid > 0 && launcher != null && launcher.isAlive()) {
            Processes.signal(pid, "CONT");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (launcher != null && !awaitLauncherExit(Duration.ofSeconds(10))) {
            launcher.destroyForcibly();
        }
    }

    private boolean awaitLauncherExit(Duration timeout) {
        try {
            return launcher.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String exitCode() {
        return launcher != null && !launcher.isAlive() ? Integer.toString(launcher.exitValue()) : "none";
    }

    private long errorLogSize() {
        try {
            return Files.exists(dir.resolve("error.log")) ? Files.size(dir.resolve("error.log")) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String errorLogSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(dir.resolve("error.log"));
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no error log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new SandboxException("cannot find a free loopback port: " + e.getMessage(), e);
        }
    }
}
