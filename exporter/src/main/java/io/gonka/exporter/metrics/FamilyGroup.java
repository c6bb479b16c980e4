package io.gonka.exporter.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The families one family-building method of {@link GonkaCollector} produces, kept with what
 * they were built from. While every input it read is unchanged (the same snapshot object, equally
 * fresh), the families and their exposition text are reused: a scrape between polls costs a few
 * comparisons, and a poll re-renders only the groups that read its source.
 */
final class FamilyGroup {
    /** Something a rendering read; {@link #unchanged()} says whether reading it again would give the same. */
    interface Input {
        boolean unchanged();
    }

    private static final byte[] OPENMETRICS_EOF = "# EOF\n".getBytes(StandardCharsets.UTF_8);

    final String name;
    private final Consumer<FamilyBuilder> build;
    private final boolean cacheable;
    private List<Input> inputs = List.of();
    private List<MetricSnapshot> families;
    /** Exposition text per content type, without OpenMetrics' closing "# EOF". */
    private final Map<String, byte[]> text = new ConcurrentHashMap<>();

    FamilyGroup(String name, Consumer<FamilyBuilder> build, boolean cacheable) {
        this.name = name;
        this.build = build;
        this.cacheable = cacheable;
    }

    boolean current() {
        if (families == null || !cacheable) {
            return false;
        }
        for (Input i : inputs) {
            if (!i.unchanged()) {
                return false;
            }
        }
        return true;
    }

    /** Builds the families afresh; {@code inputs} is filled by the build with what it read. */
    void render(int maxLabelLength, List<Input> reads) {
        FamilyBuilder f = new FamilyBuilder(maxLabelLength);
        build.accept(f);
        families = f.build();
        inputs = List.copyOf(reads);
        text.clear();
    }

    List<MetricSnapshot> families() {
        return families;
    }

    /** The exposition text of this group in the writer's format, written once per rendering. */
    byte[] text(ExpositionFormatWriter writer, ReusableBuffer buffer) throws IOException {
        byte[] t = text.get(writer.getContentType());
        if (t == null) {
            buffer.reset();
            if (!families.isEmpty()) {
                writer.write(buffer, new MetricSnapshots(families));
            }
            t = buffer.toByteArrayWithout(OPENMETRICS_EOF);
            text.put(writer.getContentType(), t);
        }
        return t;
    }

    /** A growable byte buffer kept across renderings, so rendering allocates only the result. */
    static final class ReusableBuffer extends ByteArrayOutputStream {
        ReusableBuffer(int size) {
            super(size);
        }

        byte[] toByteArrayWithout(byte[] suffix) {
            int n = count;
            if (n >= suffix.length && Arrays.equals(buf, n - suffix.length, n, suffix, 0, suffix.length)) {
                n -= suffix.length;
            }
            return Arrays.copyOf(buf, n);
        }
    }
}
