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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /metrics}: the collector's cached exposition (re-rendered only where a poll changed
 * something) followed by the registry's live collectors; never waits on an upstream.
 */
@Controller
public class MetricsController {
    private final PrometheusRegistry registry;
    private final GonkaCollector collector;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Map<String, AssembledExposition> assembled = new ConcurrentHashMap<>();

    public MetricsController(PrometheusRegistry registry, GonkaCollector collector) {
        this.registry = registry;
        this.collector = collector;
    }

    @Get(value = "/metrics", produces = {MediaType.TEXT_PLAIN, "application/openmetrics-text", MediaType.ALL})
    public MutableHttpResponse<ByteBuf> metrics(@Nullable @Header(HttpHeaders.ACCEPT) String accept) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (writer == formats.getPrometheusProtobufWriter() || !writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter(); // keep it to text formats
        }
        List<byte[]> cached = collector.exposition(writer);
        // the live rest (and OpenMetrics' closing # EOF), small, written afresh every scrape straight
        // into a direct buffer like the cached part: a composite with one heap part is copied whole
        ByteBuf rest = Unpooled.directBuffer(256);
        try {
            writer.write(new ByteBufOutputStream(rest), registry.scrape());
        } catch (IOException | RuntimeException e) {
            rest.release();
            throw e;
        }
        ByteBuf body = Unpooled.wrappedBuffer(assembled.computeIfAbsent(writer.getContentType(), k -> new AssembledExposition()).view(cached), rest);
        return HttpResponse.ok(body).contentType(writer.getContentType());
    }
}
