package dev.sluice.bench;

import java.io.File;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Start-up time: launches {@code java -jar sluice.jar run --listen 127.0.0.1:PORT --backend ... --user ...} RUNS
 * times and measures from the launch to the first greeting a client receives on the listening port (a TCP connect
 * that reads the first bytes of the server's handshake). Prints {@code startup <run> <ms>} lines and the median.
 */
public final class StartupBench {
    private StartupBench() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String java = args.get("java", "java");
        String jar = args.get("jar");
        int port = args.integer("port");
        int backend = args.integer("backend");
        String user = args.get("user");
        int runs = (int) args.number("runs", 5);
        File log = new File(args.get("log"));
        List<Double> millis = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar, "run", "--listen", "127.0.0.1:" + port,
                    "--backend", "127.0.0.1:" + backend, "--user", user);
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
            long launched = System.nanoTime();
            Process p = pb.start();
            try {
                while (!greets(port)) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("Sluice exited with " + p.exitValue() + "; see " + log);
                    }
                    if (System.nanoTime() - launched > TimeUnit.SECONDS.toNanos(60)) {
                        throw new IllegalStateException("no greeting within 60 s; see " + log);
                    }
                    Thread.sleep(5);
                }
                double ms = (System.nanoTime() - launched) / 1e6;
                millis.add(ms);
                System.out.printf("startup %d %.0f%n", run, ms);
            } finally {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
        System.out.printf("startup median %.0f ms (min %.0f, max %.0f)%n", StreamBench.median(millis),
                millis.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                millis.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    /** True when a connection to the port receives at least the 4-byte packet header of a greeting. */
    private static boolean greets(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(2000);
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
