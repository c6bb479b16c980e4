package io.gonka.exporter.http;

import io.gonka.exporter.BuildInfo;
import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.polling.SourceState;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * {@code GET /}: what this is and where to look, as the Prometheus exporters do. Behind the same
 * basic auth as {@code /metrics} (the filter covers every path but the probes).
 */
@Controller
public class LandingPage {
    private final SourceScheduler scheduler;
    private final BuildInfo build = BuildInfo.current();

    public LandingPage(SourceScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Get(value = "/", produces = MediaType.TEXT_HTML)
    public HttpResponse<String> index() {
        StringBuilder sources = new StringBuilder();
        for (SourceState<?> s : scheduler.states()) {
            // states only: a poll's problem text stays in the log
            String state = switch (s.condition()) {
                case NEVER_POLLED -> "not polled yet";
                case OK -> s.up() ? "up" : "stale";
                case FAILING -> "down (see gonka_source_errors_total and the log)";
                case NOT_READY -> "waiting for another source";
                case UNSUPPORTED -> "not supported by this node";
            };
            sources.append("<li><code>").append(escape(s.name())).append("</code>: ").append(state).append("</li>\n");
        }
        String html = """
                <!DOCTYPE html>
                <html lang="en">
                <head><meta charset="utf-8"><title>gonka-exporter</title></head>
                <body>
                <h1>gonka-exporter</h1>
                <p>Prometheus exporter for a Gonka network node.</p>
                <p>Version %s, revision %s, branch %s, Java %s</p>
                <ul>
                <li><a href="metrics">/metrics</a>: the metrics</li>
                <li><a href="health">/health</a>: overall health</li>
                <li><a href="health/liveness">/health/liveness</a>: the process answers</li>
                <li><a href="health/readiness">/health/readiness</a>: every source polled at least once</li>
                </ul>
                <h2>Sources</h2>
                <ul>
                %s</ul>
                </body>
                </html>
                """.formatted(escape(build.version()), escape(build.revision()), escape(build.branch()), escape(build.javaVersion()), sources);
        return HttpResponse.ok(html).contentType(MediaType.TEXT_HTML_TYPE);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
