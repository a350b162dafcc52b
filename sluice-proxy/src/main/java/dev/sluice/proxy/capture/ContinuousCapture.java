package dev.sluice.proxy.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session written as it goes: the file starts with what the session kept so far, then each packet is appended on
 * the captures' writer thread, within the disk budget. The file stops growing (and stays, readable) when the budget
 * refuses more, when the writer falls too far behind, or when the session ends.
 */
final class ContinuousCapture {
    private static final Logger LOG = LoggerFactory.getLogger("dev.sluice.capture");

    private final Captures captures;
    private final Path file;
    private final TcpFraming framing;
    private final Executor writer;
    /** Bytes handed to the writer thread and not yet written, for all continuous captures. */
    private final AtomicLong backlog;

    private OutputStream out; // writer thread only
    private volatile boolean stopped;

    ContinuousCapture(Captures captures, Path file, TcpFraming framing, Executor writer, AtomicLong backlog) {
        this.captures = captures;
        this.file = file;
        this.framing = framing;
        this.writer = writer;
        this.backlog = backlog;
    }

    /** Opens the file with the header and the packets so far (on the writer thread). */
    void start(byte[] header, List<CapturedFrame> sofar) {
        writer.execute(() -> {
            try {
                out = Files.newOutputStream(file);
            } catch (IOException e) {
                LOG.warn("capture: cannot create {}: {}", file, e.toString());
                stopped = true;
                captures.closed(file);
                return;
            }
            write(header);
            write(CaptureFile.packets(framing, sofar, true));
        });
    }

    /** Appends one packet (event loop); dropped once stopped. */
    void append(CapturedFrame frame) {
        if (stopped) {
            return;
        }
        long size = frame.head().length;
        if (backlog.addAndGet(size) > Captures.MAX_BACKLOG) {
            backlog.addAndGet(-size);
            LOG.warn("capture: {} stops: the writer is {} bytes behind", file, Captures.MAX_BACKLOG);
            close();
            return;
        }
        writer.execute(() -> {
            backlog.addAndGet(-size);
            ByteCollector blocks = new ByteCollector();
            framing.packet(frame, blocks);
            write(blocks.bytes());
        });
    }

    /** Writer thread: writes within the budget, or stops the capture. */
    private void write(byte[] bytes) {
        if (out == null || bytes.length == 0) {
            return;
        }
        if (!captures.reserve(bytes.length)) {
            LOG.warn("capture: {} stops: capture.max-bytes reached", file);
            captures.refused();
            stopped = true;
            finish();
            return;
        }
        try {
            out.write(bytes);
        } catch (IOException e) {
            LOG.warn("capture: writing {} failed: {}", file, e.toString());
            stopped = true;
            finish();
        }
    }

    /** Stops and closes the file once what was handed over is written. */
    void close() {
        stopped = true;
        writer.execute(this::finish);
    }

    private void finish() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("capture: closing {} failed: {}", file, e.toString());
        }
        out = null;
        captures.closed(file);
        LOG.info("capture: {} closed", file);
    }

    /** Blocks collected into one array. */
    static final class ByteCollector implements java.util.function.Consumer<byte[]> {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        @Override
        public void accept(byte[] b) {
            out.writeBytes(b);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
