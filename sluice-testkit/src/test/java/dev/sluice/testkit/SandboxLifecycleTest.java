package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Stop, start, restart, kill, pause and resume on one shared sandbox; each test leaves it running. */
class SandboxLifecycleTest {
    @RegisterExtension
    static final MariaDbSandboxExtension DB = MariaDbSandboxExtension.builder()
            .name("lifecycle")
            .initSql("CREATE DATABASE life")
            .build();

    @AfterEach
    void leaveRunning() {
        MariaDbSandbox db = DB.sandbox();
        if (db.isPaused()) {
            db.resume();
        }
        if (!db.isRunning()) {
            db.start();
        }
    }

    @Test
    void pauseStallsQueriesAndResumeLetsThemFinish() throws Exception {
        MariaDbSandbox db = DB.sandbox();
        try (Connection impatient = Jdbc.root(db, "socketTimeout=300");
                Connection patient = Jdbc.root(db, "socketTimeout=30000")) {
            assertThat(Jdbc.scalar(impatient, "SELECT 1")).isEqualTo("1");
            assertThat(Jdbc.scalar(patient, "SELECT 1")).isEqualTo("1");
            db.pause();
            assertThat(db.isPaused()).isTrue();
            CompletableFuture<String> stalled = CompletableFuture.supplyAsync(() -> {
                try {
                    return Jdbc.scalar(patient, "SELECT 'after resume'");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThatThrownBy(() -> Jdbc.scalar(impatient, "SELECT 2"))
                    .isInstanceOf(SQLException.class)
                    // Connector/J 3.5 spells it "Socket timout error"
                    .hasMessageMatching("(?s).*Socket time?out.*");
            // the impatient query waited 300 ms and the stalled one was sent before it: still no answer
            assertThat(stalled).isNotDone();
            db.resume();
            assertThat(stalled.get(10, TimeUnit.SECONDS)).isEqualTo("after resume");
        }
    }

    @Test
    void stopAndStartKeepDataAndPort() throws SQLException {
        MariaDbSandbox db = DB.sandbox();
        db.execute("CREATE TABLE life.kept (v VARCHAR(10)); INSERT INTO life.kept VALUES ('stop')");
        int port = db.port();
        long pid = db.pid();
        db.stop();
        assertThat(db.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        assertThatThrownBy(() -> new Socket(db.host(), port).close()).isInstanceOf(IOException.class);
        db.start();
        assertThat(db.port()).isEqualTo(port);
        assertThat(db.pid()).isNotEqualTo(pid);
        try (Connection c = Jdbc.root(db, "")) {
            assertThat(Jdbc.scalar(c, "SELECT v FROM life.kept")).isEqualTo("stop");
        }
        db.execute("DROP TABLE life.kept");
    }

    @Test
    void restartKeepsData() throws SQLException {
        MariaDbSandbox db = DB.sandbox();
        db.execute("CREATE TABLE life.restarted (id INT); INSERT INTO life.restarted VALUES (7)");
        long pid = db.pid();
        db.restart();
        assertThat(db.pid()).isNotEqualTo(pid);
        assertThat(db.lastStartDuration()).isLessThan(Duration.ofSeconds(10));
        try (Connection c = Jdbc.root(db, "")) {
            assertThat(Jdbc.scalar(c, "SELECT id FROM life.restarted")).isEqualTo("7");
        }
        db.execute("DROP TABLE life.restarted");
    }

    @Test
    void killLeavesNoProcessAndCommittedRowsSurviveRecovery() throws SQLException {
        MariaDbSandbox db = DB.sandbox();
        db.execute("CREATE TABLE life.crashed (id INT) ENGINE=InnoDB; INSERT INTO life.crashed VALUES (1)");
        long pid = db.pid();
        db.kill();
        assertThat(db.isRunning()).isFalse();
        assertThat(ProcessHandle.of(pid)).isEmpty();
        db.start();
        try (Connection c = Jdbc.root(db, "")) {
            assertThat(Jdbc.scalar(c, "SELECT COUNT(*) FROM life.crashed")).isEqualTo("1");
        }
        db.execute("DROP TABLE life.crashed");
    }

    @Test
    void killWhilePausedStillKills() {
        MariaDbSandbox db = DB.sandbox();
        long pid = db.pid();
        db.pause();
        db.kill();
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(pid).isEmpty());
        assertThat(db.isPaused()).isFalse();
    }

    @Test
    void lifecycleMisuseIsRejected() {
        MariaDbSandbox db = DB.sandbox();
        assertThatThrownBy(db::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already running");
        db.stop();
        assertThatThrownBy(db::pause).isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");
        db.stop();
    }
}
