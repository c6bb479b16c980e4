package io.gonka.exporter.http;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.core.annotation.Nullable;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** {@code GET /metrics}: renders the cached snapshots; never waits on an upstream. */
@Controller
public class MetricsController {
    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    public MetricsController(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Get(value = "/metrics", produces = {MediaType.TEXT_PLAIN, "application/openmetrics-text", MediaType.ALL})
    public MutableHttpResponse<byte[]> metrics(@Nullable @Header(HttpHeaders.ACCEPT) String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (writer == formats.getPrometheusProtobufWriter() || !writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter(); // keep it to text formats
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        writer.write(out, registry.scrape());
        return HttpResponse.ok(out.toByteArray()).contentType(writer.getContentType());
    }
}
