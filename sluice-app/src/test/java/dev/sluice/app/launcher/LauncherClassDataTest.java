package dev.sluice.app.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/sluice's class-data archive (AppCDS): made when missing or older than the jar, used when present, and never in
 * the way of a start. The launcher runs from a copy of the repository's layout (bin/sluice, sluice-app/target/
 * sluice.jar) whose jar is {@link FakeSluiceMain}: real JVMs, real archives, no proxy.
 */
class LauncherClassDataTest {
    private static final String HELPER = FakeSluiceMain.Helper.class.getName();

    @TempDir
    Path root;

    private Path jar;
    private Path cds;

    @BeforeEach
    void layout() throws IOException {
        Path launcher = Path.of("..", "bin", "sluice").toAbsolutePath().normalize();
        assertThat(launcher)
                .as("the repository's launcher, from sluice-app's directory")
                .isRegularFile();
        Files.createDirectories(root.resolve("bin"));
        Files.copy(launcher, root.resolve("bin/sluice"));
        root.resolve("bin/sluice").toFile().setExecutable(true);
        jar = root.resolve("sluice-app/target/sluice.jar");
        cds = jar.resolveSibling("cds");
        Files.createDirectories(jar.getParent());
        writeJar(jar, "");
    }

    @Test
    void missingArchiveIsMadeOnceThenUsed() throws Exception {
        Run first = launch(Map.of(), "run", "--listen", "x");
        assertThat(first.exit).as(first.toString()).isZero();
        assertThat(first.out).isEqualTo("ran: RUN --LISTEN X\n");
        assertThat(first.err).contains("making the class-data archive");
        assertThat(archives()).hasSize(1);
        assertThat(first.helperSource)
                .as("the archive is made before this launch, which uses it")
                .contains("shared objects file (top)");

        Run second = launch(Map.of(), "run");
        assertThat(second.exit).as(second.toString()).isZero();
        assertThat(second.out).isEqualTo("ran: RUN\n");
        assertThat(second.err).isEmpty();
        assertThat(second.helperSource).contains("shared objects file (top)");
        assertThat(leftovers()).as("no temporary files or logs left in " + cds).isEmpty();
    }

    @Test
    void archiveOlderThanTheJarIsMadeAgain() throws Exception {
        assertThat(launch(Map.of(), "run").exit).isZero();
        Path archive = archives().get(0);
        // the archive was made a minute ago, the jar rebuilt since
        Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        writeJar(jar, "a rebuilt jar");

        Run run = launch(Map.of(), "run");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).isEqualTo("ran: RUN\n");
        assertThat(run.err).contains("making the class-data archive");
        assertThat(archives()).containsExactly(archive);
        assertThat(Files.getLastModifiedTime(archive)).isGreaterThanOrEqualTo(Files.getLastModifiedTime(jar));
        assertThat(run.helperSource).contains("shared objects file (top)");
    }

    @Test
    void archiveOfAnotherJarIsIgnoredSilently() throws Exception {
        assertThat(launch(Map.of(), "run").exit).isZero();
        Path archive = archives().get(0);
        // a different jar that looks older than the archive (copied with its old time, say): the launcher keeps
        // the archive, the JVM refuses it, and the start goes on without it
        writeJar(jar, "another jar");
        Files.setLastModifiedTime(
                jar, FileTime.fromMillis(Files.getLastModifiedTime(archive).toMillis() - 60_000));

        Run run = launch(Map.of(), "run", "--listen", "y");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).isEqualTo("ran: RUN --LISTEN Y\n");
        assertThat(run.err).isEmpty();
        assertThat(run.helperSource).contains("sluice.jar").doesNotContain("shared objects file");
    }

    @Test
    void damagedArchiveDoesNotStopTheStart() throws Exception {
        assertThat(launch(Map.of(), "run").exit).isZero();
        Path archive = archives().get(0);
        FileTime made = Files.getLastModifiedTime(archive);
        archive.toFile().setWritable(true);
        Files.write(archive, "not an archive".repeat(1000).getBytes(StandardCharsets.US_ASCII));
        Files.setLastModifiedTime(archive, made);

        Run run = launch(Map.of(), "run");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).isEqualTo("ran: RUN\n");
        assertThat(run.err).isEmpty();
        assertThat(run.helperSource).doesNotContain("shared objects file");
    }

    @Test
    void sluiceCds0NeitherMakesNorUsesOne() throws Exception {
        Run run = launch(Map.of("SLUICE_CDS", "0"), "run");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).isEqualTo("ran: RUN\n");
        assertThat(run.err).isEmpty();
        assertThat(archives()).isEmpty();
        assertThat(run.helperSource).doesNotContain("shared objects file");

        assertThat(launch(Map.of(), "run").exit).isZero();
        assertThat(archives()).hasSize(1);
        Run off = launch(Map.of("SLUICE_CDS", "0"), "run");
        assertThat(off.helperSource).as("an archive present is not used either").doesNotContain("shared objects file");
    }

    @Test
    void failedTrainingStartsWithoutAndIsNotRetriedForTheSameJar() throws Exception {
        Run run = launch(Map.of("FAKE_TRAINING_EXIT", "3"), "run");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).isEqualTo("ran: RUN\n");
        assertThat(run.err).contains("no class-data archive (training run failed");
        assertThat(archives()).isEmpty();

        Run again = launch(Map.of("FAKE_TRAINING_EXIT", "3"), "run");
        assertThat(again.exit).isZero();
        assertThat(again.err).as("not retried until the jar changes").isEmpty();

        // a new jar (the failed run a minute before it)
        try (Stream<Path> files = Files.list(cds)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
            }
        }
        writeJar(jar, "a fixed jar");
        Run rebuilt = launch(Map.of(), "run");
        assertThat(rebuilt.err).contains("making the class-data archive");
        assertThat(archives()).hasSize(1);
    }

    @Test
    void otherCommandsNeitherMakeNorUseOne() throws Exception {
        Run run = launch(Map.of(), "--version");
        assertThat(run.exit).as(run.toString()).isZero();
        assertThat(run.out).isEqualTo("ran: --VERSION\n");
        assertThat(run.err).isEmpty();
        assertThat(Files.exists(cds)).isFalse();
    }

    private record Run(int exit, String out, String err, String helperSource) {}

    /** bin/sluice ARGS with SLUICE_NO_BUILD=1, JAVA = this JVM's java, the class-loading log of the helper class. */
    private Run launch(Map<String, String> env, String... args) throws Exception {
        Path classLog = Files.createTempFile(root, "classes", ".log");
        List<String> command =
                new ArrayList<>(List.of(root.resolve("bin/sluice").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("SLUICE_NO_BUILD", "1");
        pb.environment()
                .put(
                        "JAVA",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("SLUICE_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog);
        pb.environment().remove("SLUICE_CDS");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/sluice did not end within 120 s: " + Files.readString(err));
        }
        String helper;
        try (Stream<String> lines = Files.lines(classLog)) {
            helper = lines.filter(l -> l.contains(" " + HELPER + " "))
                    .findFirst()
                    .orElse("(not loaded)");
        }
        Run run = new Run(p.exitValue(), Files.readString(out), Files.readString(err), helper);
        Files.delete(classLog);
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    private List<Path> archives() throws IOException {
        if (!Files.isDirectory(cds)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa"))
                    .toList();
        }
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(cds)) {
            return files.filter(f -> !f.getFileName().toString().endsWith(".jsa"))
                    .toList();
        }
    }

    /** A runnable jar of FakeSluiceMain (and its helper); {@code extra} varies the content between jars. */
    private static void writeJar(Path target, String extra) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeSluiceMain.class.getName());
        Files.deleteIfExists(target);
        try (OutputStream file = Files.newOutputStream(target);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Class<?> c : List.of(FakeSluiceMain.class, FakeSluiceMain.Helper.class)) {
                String name = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(name));
                try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("extra.txt"));
            out.write(extra.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }
}
