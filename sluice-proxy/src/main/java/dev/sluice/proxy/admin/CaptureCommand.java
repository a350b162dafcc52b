package dev.sluice.proxy.admin;

import dev.sluice.proxy.capture.Captures;
import dev.sluice.proxy.ops.OpsTable;
import dev.sluice.proxy.session.ProxyErrors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code CAPTURE SESSION id [TO 'file']}: session {@code id}'s capture (its last packets, docs/CAPTURES.md) written now
 * as a pcapng file in capture.dir, answered with one row: the file, its packets and bytes. A file name is a plain
 * name in capture.dir ending in .pcapng (added when missing); an id that is no live session: ERR 1094.
 */
final class CaptureCommand {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.proxy.admin");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,200}");
    /** How long the session's loop and the writer thread have to write the file. */
    static final long WAIT_MILLIS = 5000;

    private CaptureCommand() {}

    static CompletableFuture<AdminReply> capture(AdminContext admin, String who, long id, String file) {
        Captures captures = admin.proxy().captures();
        if (captures == null) {
            return done(AdminReply.error(ProxyErrors.adminNotAvailable(
                    "CAPTURE SESSION: captures are off (configure capture.dir, docs/CAPTURES.md)")));
        }
        String name = file;
        if (name != null) {
            if (!FILE_NAME.matcher(name).matches()) {
                return done(
                        AdminReply.error(
                                ProxyErrors.adminFailed(
                                        "CAPTURE SESSION: '" + name
                                                + "' is not a plain file name (letters, digits, '.', '_', '-'; it is written in capture.dir)")));
            }
            name = name.endsWith(".pcapng") ? name : name + ".pcapng";
        }
        LOG.info("admin {}: CAPTURE SESSION {}{}", who, id, name == null ? "" : " TO '" + name + "'");
        return captures.captureNow(id, name)
                .handle((written, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                        return AdminReply.error(
                                ProxyErrors.adminFailed("CAPTURE SESSION " + id + ": " + cause.getMessage()));
                    }
                    if (written == null) {
                        return AdminReply.error(ProxyErrors.unknownThread(id));
                    }
                    return (AdminReply) new AdminReply.Table(OpsTable.builder()
                            .integer("session")
                            .text("file")
                            .integer("packets", "bytes")
                            .row(
                                    id,
                                    written.file().toAbsolutePath().toString(),
                                    (long) written.packets(),
                                    written.bytes())
                            .build());
                })
                .completeOnTimeout(
                        AdminReply.error(ProxyErrors.adminFailed(
                                "CAPTURE SESSION " + id + " was not written within " + WAIT_MILLIS + " ms")),
                        WAIT_MILLIS,
                        TimeUnit.MILLISECONDS);
    }

    private static CompletableFuture<AdminReply> done(AdminReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
