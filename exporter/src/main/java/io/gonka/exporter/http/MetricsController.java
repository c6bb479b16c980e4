package io.gonka.exporter.http;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.core.annotation.Nullable;
import io.gonka.exporter.metrics.GonkaCollector;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** {@code GET /metrics}: renders the cached snapshots; never waits on an upstream. */
@Controller
public class MetricsController {
    private final PrometheusRegistry registry;
    private final GonkaCollector collector;
    private final ExpositionFormats formats = ExpositionFormats.init();
    /** The last rendering per format; reused while nothing it depends on changed. */
    private final java.util.Map<String, Rendered> last = new java.util.concurrent.ConcurrentHashMap<>();

    private record Rendered(String key, byte[] body) {}

    public MetricsController(PrometheusRegistry registry, GonkaCollector collector) {
        this.registry = registry;
        this.collector = collector;
    }

    @Get(value = "/metrics", produces = {MediaType.TEXT_PLAIN, "application/openmetrics-text", MediaType.ALL})
    public MutableHttpResponse<byte[]> metrics(@Nullable @Header(HttpHeaders.ACCEPT) String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (writer == formats.getPrometheusProtobufWriter() || !writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter(); // keep it to text formats
        }
        // Between polls the output cannot change, but a large fleet's output takes tens of ms to
        // build: render once per change of state (or second of the clock) and serve that.
        String key = collector.stateKey();
        Rendered r = last.get(writer.getContentType());
        if (r == null || !r.key().equals(key)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            writer.write(out, registry.scrape());
            r = new Rendered(key, out.toByteArray());
            last.put(writer.getContentType(), r);
        }
        return HttpResponse.ok(r.body()).contentType(writer.getContentType());
    }
}
