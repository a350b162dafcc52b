package dev.sluice.testkit;

/** Main class of the child JVM in {@link SandboxCleanupTest}: starts a sandbox, reports it, then waits to be killed. */
public final class OrphanChild {
    private OrphanChild() {}

    public static void main(String[] args) throws Exception {
        MariaDbSandbox db = MariaDbSandbox.builder().name("orphan").start();
        System.out.println("sandbox " + db.pid() + " " + db.directory());
        System.out.flush();
        System.in.read();
        db.close();
    }
}
