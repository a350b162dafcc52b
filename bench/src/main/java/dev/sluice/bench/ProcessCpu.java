package dev.sluice.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time a process has used so far (user + system), from /proc/PID/stat. */
final class ProcessCpu {
    private ProcessCpu() {}

    /**
     * @param ticksPerSecond {@code getconf CLK_TCK} (100 on Linux)
     * @return seconds, or NaN when the process is gone
     */
    static double seconds(long pid, long ticksPerSecond) {
        String stat;
        // one read of the whole line: Files.readString trusts the size procfs reports (0)
        try (BufferedReader in = Files.newBufferedReader(Path.of("/proc", Long.toString(pid), "stat"))) {
            stat = in.readLine();
        } catch (IOException e) {
            return Double.NaN;
        }
        // the command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(f[11]);
        long stime = Long.parseLong(f[12]);
        return (utime + stime) / (double) ticksPerSecond;
    }
}
