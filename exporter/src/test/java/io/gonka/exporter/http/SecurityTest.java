package io.gonka.exporter.http;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.*;

import at.favre.lib.crypto.bcrypt.BCrypt;
import ch.qos.logback.classic.Level;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.gonka.exporter.support.Fixtures;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.LogCapture;
import io.gonka.exporter.support.TestConfig;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** TLS and basic auth from a web-config.yml, GET-only upstream traffic, and no secret in logs or metrics. */
class SecurityTest {
    static final String SECRET = "PRIVATE-KEY-d41d8cd98f00b204e9800998ecf8427e-DO-NOT-LEAK";

    @TempDir
    Path dir;

    @Test
    void tlsAndBasicAuthFromAWebConfig() throws Exception {
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", dir.resolve("key.pem").toString(), "-out", dir.resolve("cert.pem").toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        String hash = BCrypt.withDefaults().hashToString(6, "s3cret".toCharArray());
        Path web = dir.resolve("web-config.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  min_version: TLS12\n"
                + "basic_auth_users:\n  prometheus: " + hash + "\n");

        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, Object> props = new HashMap<>(WebConfig.load(web).serverProperties(port));
        props.put("micronaut.server.port", port);
        props.put("gonka.web-config-file", web.toString());
        props.put("gonka.enabled", "false");
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(dir.resolve("cert.pem"))) {
                trust.setCertificateEntry("exporter", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
            URI metrics = URI.create("https://127.0.0.1:" + port + "/metrics");

            assertEquals(401, https.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            String wrong = "Basic " + Base64.getEncoder().encodeToString("prometheus:nope".getBytes(StandardCharsets.UTF_8));
            assertEquals(401, https.send(HttpRequest.newBuilder(metrics).header("Authorization", wrong).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String right = "Basic " + Base64.getEncoder().encodeToString("prometheus:s3cret".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 2; i++) { // the second one is answered from the remembered header
                HttpResponse<String> ok = https.send(HttpRequest.newBuilder(metrics).header("Authorization", right).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ok.statusCode());
                assertTrue(ok.body().contains("gonka_exporter_build_info"));
            }
            assertEquals(200, https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/health/liveness")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "probes need no credentials");
            assertEquals(401, https.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            // Plain HTTP on the same port is not served.
            HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void aWebConfigWithSettingsWeCannotHonourIsRefused() throws Exception {
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebConfig.load(web));
        assertTrue(e.getMessage().contains("client_auth_type"), e.getMessage());
        Files.writeString(web, "basic_auth_users:\n  alice: plaintext\n");
        e = assertThrows(IllegalArgumentException.class, () -> WebConfig.load(web));
        assertTrue(e.getMessage().contains("not a bcrypt hash"), e.getMessage());
        assertFalse(e.getMessage().contains("plaintext"), "the refused password is not echoed");
    }

    @Test
    void theWebConfigPathComesFromTheToolkitFlag() {
        assertEquals("/etc/gonka/web.yml", io.gonka.exporter.ApplicationArgs.webConfigFile(new String[] {"--web.config.file=/etc/gonka/web.yml"}));
    }

    @Test
    void onlyGetRequestsAndTheWorkerKeyNeverLeaks() throws Exception {
        WireMockServer node = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        node.start();
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        root.setLevel(Level.TRACE);
        try (LogCapture logs = new LogCapture()) {
            String config = Fixtures.text("admin-config.json").replace(
                    "<REDACTED: the real endpoint returns the ML-node worker PRIVATE key here>", SECRET);
            assertTrue(config.contains(SECRET));
            node.stubFor(get("/admin/v1/config").willReturn(okJson(config)));
            node.stubFor(get("/admin/v1/nodes").willReturn(okJson(Fixtures.text("admin-nodes.json"))));
            node.stubFor(get("/status").willReturn(okJson(Fixtures.text("tendermint-status.json"))));
            node.stubFor(any(anyUrl()).atPriority(10).willReturn(notFound()));
            String scraped;
            try (Harness h = new Harness(TestConfig.allAt(node.baseUrl()))) {
                scraped = h.pollTwice().scrapeText();
                // the same secret inside a body that fails to parse: the error names a position, not the token
                node.stubFor(get("/admin/v1/config").willReturn(okJson("{\"ml_node_key_config\":{\"worker_private\": " + SECRET + "}}")));
                h.scheduler.pollOnce(h.sources.adminConfig).get();
                scraped += h.scrapeText();
                assertEquals(1, h.scrape().value("gonka_source_errors_total", "source", "admin_config", "reason", "parse"));
            }
            assertTrue(scraped.contains("gonka_api_block_processing_lag_blocks"), "the config was read");
            assertFalse(scraped.contains(SECRET));
            assertFalse(scraped.contains("worker"));
            assertFalse(logs.all().contains(SECRET), logs.all());
            assertFalse(logs.all().contains("DO-NOT-LEAK"), logs.all());
            assertTrue(logs.all().contains("admin_config: malformed JSON at line 1"), logs.all());

            List<LoggedRequest> requests = node.findAll(anyRequestedFor(anyUrl()));
            assertTrue(requests.size() >= 10, "requests seen: " + requests.size());
            for (LoggedRequest r : requests) {
                assertEquals("GET", r.getMethod().value(), r.getUrl());
            }
        } finally {
            root.setLevel(before);
            node.stop();
        }
    }
}
