package io.gonka.exporter.sources;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.gonka.exporter.support.Fixtures;
import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.TestConfig;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ML node's PoC port behind the mTLS nginx of deploy/join/MTLS.md: HTTPS that requires the API node's
 * client certificate and presents a self-signed one of its own, with the node registered as a bare host.
 */
class MlNodeMtlsTest {
    @TempDir
    static Path dir;
    WireMockServer admin;
    Harness h;
    HttpServer mlnode;
    final AtomicInteger served = new AtomicInteger();

    /** A self-signed RSA certificate and its PKCS#8 key as PEM files, made with the JDK's keytool. */
    static Path[] pem(String name) throws Exception {
        Path p12 = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=" + name, "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(p12.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        Files.writeString(crt, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(ks.getCertificate(name).getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64.encodeToString(ks.getKey(name, "changeit".toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        return new Path[] {crt, key};
    }

    static Path[] dapi;
    static Path[] ml;

    @org.junit.jupiter.api.BeforeAll
    static void certificates() throws Exception {
        dapi = pem("dapi");
        ml = pem("mlnode");
    }

    @BeforeEach
    void start() throws Exception {
        admin = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        admin.start();
        admin.stubFor(get("/admin/v1/config").willReturn(okJson("{\"current_node_version\":\"v3.0.13\"}")));
    }

    void startMlNode(io.vertx.core.Vertx vertx) throws Exception {
        String health = Fixtures.text("mlnode-health.json");
        mlnode = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.44").setPort(0).setSsl(true)
                        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(ml[0].toString()).setKeyPath(ml[1].toString()))
                        .setTrustOptions(new PemTrustOptions().addCertPath(dapi[0].toString()))
                        .setClientAuth(ClientAuth.REQUIRED))
                .requestHandler(r -> {
                    served.incrementAndGet();
                    r.response().putHeader("Content-Type", "application/json").end(health);
                })
                .listen().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        admin.stubFor(get("/admin/v1/nodes").willReturn(okJson("[{\"node\":{\"id\":\"secured\",\"host\":\"127.0.0.44\",\"poc_port\":"
                + mlnode.actualPort() + ",\"poc_segment\":\"\"},\"state\":{\"intended_status\":\"INFERENCE\",\"current_status\":\"INFERENCE\","
                + "\"admin_state\":{\"enabled\":true,\"epoch\":1}}}]")));
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
        admin.stop();
    }

    Harness harness(boolean withClientCert) {
        TestConfig cfg = TestConfig.allAt(admin.baseUrl());
        cfg.mlnodeScheme = "https";
        cfg.mlnodeTlsCa = ml[0].toString();
        if (withClientCert) {
            cfg.mlnodeTlsCert = dapi[0].toString();
            cfg.mlnodeTlsKey = dapi[1].toString();
        }
        return new Harness(cfg);
    }

    @Test
    void withTheClientCertificateTheNodeAnswers() throws Exception {
        h = harness(true);
        startMlNode(h.vertx);
        MetricSamples m = h.pollTwice().scrape();
        assertEquals(1, m.value("gonka_mlnode_up", "node_id", "secured"));
        assertEquals(1, m.value("gonka_mlnode_healthy", "node_id", "secured"));
        assertEquals(2, m.all("gonka_mlnode_gpu_available", "node_id", "secured").size(), "the fixture's two GPUs");
        assertTrue(served.get() > 0);
    }

    @Test
    void withoutItTheHandshakeFailsAndTheNodeReadsDown() throws Exception {
        h = harness(false);
        startMlNode(h.vertx);
        MetricSamples m = h.pollTwice().scrape();
        assertEquals(0, m.value("gonka_mlnode_up", "node_id", "secured"));
        assertEquals(0, served.get(), "no request got through the TLS handshake");
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedAtStart() {
        TestConfig cfg = TestConfig.allAt(admin.baseUrl());
        cfg.mlnodeTlsCert = dapi[0].toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Harness(cfg));
        assertTrue(e.getMessage().contains("mlnode-tls-key"), e.getMessage());
    }
}
