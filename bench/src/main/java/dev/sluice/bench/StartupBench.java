package dev.sluice.bench;

import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up time: launches Sluice RUNS times and measures from the launch to the first greeting a client receives on
 * the listening port (a TCP connect that reads the 4-byte header of the server's handshake). Two ways to launch, each
 * measured when given, interleaved launch by launch:
 *
 * <ul>
 *   <li>{@code --launcher bin/sluice}: {@code bin/sluice run --listen ... --backend ... --user ...} with
 *       SLUICE_NO_BUILD=1 (what issue 6's target names; the launcher uses its class-data archive when it has one);
 *       printed as {@code startup <run> <ms>};
 *   <li>{@code --jar sluice.jar}: {@code java -jar sluice.jar run ...}, no archive; printed as {@code startup <run>
 *       <ms>} when it is the only one, else as {@code startup-jar <run> <ms>}.
 * </ul>
 *
 * With each line {@code <kind>-cpu <run> <ms>}: the CPU time (user + system, all threads) the launched process had
 * used when the greeting arrived, from /proc: less disturbed by other processes on a busy machine than the wall
 * time.
 *
 * <p>Every launch listens on a port free just before it (another process cannot have left it taken). {@code --warmup N}
 * unmeasured launches of each kind come first (default 1: the launcher's first launch after a build makes its
 * archive, and the page cache is filled). Prints a median line per kind.
 */
public final class StartupBench {
    private StartupBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String java = args.get("java", "java");
        String jar = args.get("jar", null);
        String launcher = args.get("launcher", null);
        if (jar == null && launcher == null) {
            throw new IllegalArgumentException("give --jar, --launcher or both");
        }
        int backend = args.integer("backend");
        String user = args.get("user");
        int runs = (int) args.number("runs", 5);
        int warmup = (int) args.number("warmup", 1);
        File log = new File(args.get("log"));

        Map<String, List<String>> commands = new LinkedHashMap<>();
        if (launcher != null) {
            commands.put("startup", List.of(launcher));
        }
        if (jar != null) {
            commands.put(launcher == null ? "startup" : "startup-jar", List.of(java, "-jar", jar));
        }
        Map<String, List<Double>> millis = new LinkedHashMap<>();
        Map<String, List<Double>> cpu = new LinkedHashMap<>();
        commands.keySet().forEach(k -> millis.put(k, new ArrayList<>()));
        commands.keySet().forEach(k -> cpu.put(k, new ArrayList<>()));
        for (int run = 1 - warmup; run <= runs; run++) {
            for (Map.Entry<String, List<String>> e : commands.entrySet()) {
                double[] ms = launch(e.getValue(), backend, user, log);
                if (run >= 1) {
                    millis.get(e.getKey()).add(ms[0]);
                    cpu.get(e.getKey()).add(ms[1]);
                    System.out.printf("%s %d %.0f%n", e.getKey(), run, ms[0]);
                    System.out.printf("%s-cpu %d %.0f%n", e.getKey(), run, ms[1]);
                } else {
                    System.out.printf("# warm-up %s %.0f ms (cpu %.0f ms)%n", e.getKey(), ms[0], ms[1]);
                }
            }
        }
        for (Map.Entry<String, List<Double>> e : millis.entrySet()) {
            List<Double> m = e.getValue();
            System.out.printf(
                    "%s median %.0f ms (min %.0f, max %.0f), cpu median %.0f ms, via %s%n",
                    e.getKey(),
                    StreamBench.median(m),
                    m.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                    m.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                    StreamBench.median(cpu.get(e.getKey())),
                    String.join(" ", commands.get(e.getKey())));
        }
    }

    /**
     * One launch of {@code command run ...}: ms from the launch to the first greeting header read, and the CPU ms the
     * process had used by then.
     */
    private static double[] launch(List<String> command, int backend, String user, File log) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(
                List.of("run", "--listen", "127.0.0.1:" + port, "--backend", "127.0.0.1:" + backend, "--user", user));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("SLUICE_NO_BUILD", "1");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        long launched = System.nanoTime();
        Process p = pb.start();
        try {
            while (!greets(port)) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(
                            String.join(" ", cmd) + " exited with " + p.exitValue() + "; see " + log);
                }
                if (System.nanoTime() - launched > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("no greeting within 120 s; see " + log);
                }
                Thread.sleep(5);
            }
            double wall = (System.nanoTime() - launched) / 1e6;
            return new double[] {wall, ProcessCpu.seconds(p.pid(), 100) * 1000};
        } finally {
            // bin/sluice execs java: the process is the JVM itself
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** True when a connection to the port receives at least the 4-byte packet header of a greeting. */
    private static boolean greets(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            int got = 0;
            byte[] header = new byte[4];
            while (got < 4) {
                int n = in.read(header, got, 4 - got);
                if (n < 0) {
                    return false;
                }
                got += n;
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
