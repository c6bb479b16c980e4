package io.gonka.exporter.http;

import static org.junit.jupiter.api.Assertions.*;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.gonka.exporter.support.FreePort;
import io.gonka.exporter.support.LogCapture;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, findings 1-3: basic auth cannot be used to stall the server, broken hashes stop the
 * start, malformed credentials are a quiet 401, and unknown users cost the same bcrypt run as known ones.
 */
class BasicAuthHardeningTest {
    @TempDir
    Path dir;

    static String basic(String userColonPassword) {
        return basic(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    static String basic(byte[] raw) {
        return "Basic " + Base64.getEncoder().encodeToString(raw);
    }

    private EmbeddedServer start(String hash) throws Exception {
        Path web = dir.resolve("web-config.yml");
        Files.writeString(web, "basic_auth_users:\n  prometheus: " + hash + "\n");
        return ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", FreePort.next(), "gonka.web-config-file", web.toString(), "gonka.enabled", "false"));
    }

    @Test
    void aFloodOfWrongPasswordsRunsBcryptOffTheEventLoopAndBoundedWhileProbesAndCachedScrapesAnswer() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(10, "s3cret".toCharArray());
        try (EmbeddedServer server = start(hash)) {
            BasicAuthFilter filter = server.getApplicationContext().getBean(BasicAuthFilter.class);
            URI metrics = URI.create("http://127.0.0.1:" + server.getPort() + "/metrics");
            URI liveness = URI.create("http://127.0.0.1:" + server.getPort() + "/health/liveness");
            HttpClient prometheus = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest scrape = HttpRequest.newBuilder(metrics).header("Authorization", basic("prometheus:s3cret"))
                    .timeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> first = prometheus.send(scrape, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, first.statusCode(), first.headers().map() + first.body());
            long afterLogin = filter.bcryptRuns();
            assertEquals(1, afterLogin, "the first scrape pays one bcrypt run");
            assertEquals(200, prometheus.send(scrape, HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(afterLogin, filter.bcryptRuns(), "a later scrape is answered from the remembered success");

            int connections = 32;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong attempts = new AtomicLong();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            ExecutorService attackers = Executors.newFixedThreadPool(connections);
            long floodStart = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int conn = c;
                running.add(attackers.submit(() -> {
                    HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(); // its own keep-alive connection
                    for (int n = 0; !stop.get(); n++) {
                        HttpRequest guess = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30))
                                .header("Authorization", basic("prometheus:guess-" + conn + "-" + n)).build();
                        try {
                            int status = own.send(guess, HttpResponse.BodyHandlers.discarding()).statusCode();
                            statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                            attempts.incrementAndGet();
                        } catch (Exception e) {
                            statuses.computeIfAbsent(-1, k -> new AtomicInteger()).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            // While the flood runs, probes and the (already authenticated) scrape keep answering.
            // The bound is a generous multiple of a kubelet probe's 1 s default, not a latency claim.
            HttpClient kubelet = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            int probes = 0;
            long slowestProbe = 0;
            while (probes < 8 || System.nanoTime() - floodStart < TimeUnit.SECONDS.toNanos(3)) {
                Thread.sleep(200);
                long t0 = System.nanoTime();
                assertEquals(200, kubelet.send(HttpRequest.newBuilder(liveness).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
                assertEquals(200, prometheus.send(HttpRequest.newBuilder(metrics).header("Authorization", basic("prometheus:s3cret"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                slowestProbe = Math.max(slowestProbe, System.nanoTime() - t0);
                probes++;
            }
            stop.set(true);
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
            attackers.shutdown();
            double seconds = (System.nanoTime() - floodStart) / 1e9;
            long runs = filter.bcryptRuns() - afterLogin;
            System.out.printf("flood: %d wrong-password requests on %d connections in %.1f s -> %d bcrypt runs; %d probe+scrape pairs answered, slowest %d ms; statuses %s%n",
                    attempts.get(), connections, seconds, runs, probes, slowestProbe / 1_000_000, statuses);
            // One client may start 10 bcrypt runs at once and 2 a second after that.
            assertTrue(runs <= 10 + 2 * seconds + 2, "bcrypt runs " + runs + " in " + seconds + " s");
            assertTrue(attempts.get() > 10 * runs, "attempts " + attempts.get() + " vs bcrypt runs " + runs);
            assertEquals(Map.of(), statuses.entrySet().stream().filter(e -> e.getKey() != 401 && e.getKey() != 429)
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())), "only 401 and 429 answers");
        }
    }

    @Test
    void bcryptRunsOnItsOwnThreadsNeverTheCallersAndAnsweredOutcomesAreRemembered() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "s3cret".toCharArray());
        try (PasswordCheck check = new PasswordCheck(Map.of("prometheus", hash))) {
            assertEquals(PasswordCheck.Outcome.ACCEPTED, check.check(basic("prometheus:s3cret"), "10.0.0.1").get(10, TimeUnit.SECONDS));
            assertEquals(Set.of("gonka-bcrypt-1"), check.bcryptThreads(), "bcrypt ran on the check's own pool, not on the caller");
            // Remembered outcomes complete at once, on the caller, without bcrypt.
            assertTrue(check.check(basic("prometheus:s3cret"), "10.0.0.1").isDone());
            assertEquals(PasswordCheck.Outcome.REJECTED, check.check(basic("prometheus:nope"), "10.0.0.1").get(10, TimeUnit.SECONDS));
            var again = check.check(basic("prometheus:nope"), "10.0.0.1");
            assertTrue(again.isDone(), "a repeated wrong password is refused from memory");
            assertEquals(PasswordCheck.Outcome.REJECTED, again.get());
            assertEquals(2, check.bcryptRuns());
        }
    }

    @Test
    void eachClientAddressHasItsOwnBudgetOfBcryptRuns() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "s3cret".toCharArray());
        long[] now = {0};
        try (PasswordCheck check = new PasswordCheck(Map.of("prometheus", hash), 1, 64, 3, 1, () -> now[0])) {
            for (int i = 0; i < 3; i++) {
                assertEquals(PasswordCheck.Outcome.REJECTED, check.check(basic("prometheus:g" + i), "10.0.0.9").get(10, TimeUnit.SECONDS));
            }
            assertEquals(PasswordCheck.Outcome.THROTTLED, check.check(basic("prometheus:g3"), "10.0.0.9").get());
            assertEquals(PasswordCheck.Outcome.ACCEPTED, check.check(basic("prometheus:s3cret"), "10.0.0.7").get(10, TimeUnit.SECONDS),
                    "another client is not held back by the first one's guesses");
            now[0] += TimeUnit.SECONDS.toNanos(1);
            assertEquals(PasswordCheck.Outcome.REJECTED, check.check(basic("prometheus:g4"), "10.0.0.9").get(10, TimeUnit.SECONDS),
                    "a second later the client may try once more");
            assertEquals(5, check.bcryptRuns());
        }
    }

    @Test
    void anUnknownUserCostsTheSameBcryptRunAsAKnownOne() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(6, "s3cret".toCharArray());
        try (PasswordCheck check = new PasswordCheck(Map.of("prometheus", hash))) {
            assertEquals(6, check.dummyCost(), "the dummy hash has the configured cost");
            assertEquals(PasswordCheck.Outcome.REJECTED, check.check(basic("nobody:s3cret"), "10.0.0.1").get(10, TimeUnit.SECONDS));
            assertEquals(1, check.bcryptRuns(), "an unknown user is checked against the dummy hash");
            assertEquals(PasswordCheck.Outcome.REJECTED, check.check(basic("prometheus:wrong"), "10.0.0.1").get(10, TimeUnit.SECONDS));
            assertEquals(2, check.bcryptRuns());
            // The dummy hash never lets anyone in, not even with the right password of another user.
            assertEquals(PasswordCheck.Outcome.REJECTED, check.check(basic("Prometheus:s3cret"), "10.0.0.1").get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void brokenHashesStopTheStartWithAClearMessage() throws Exception {
        String good = BCrypt.withDefaults().hashToString(4, "x".toCharArray());
        String body = good.substring(7);
        Map<String, String> broken = Map.of(
                "cost 99", "$2a$99$" + body,
                "cost 03", "$2a$03$" + body,
                "no minor version", "$2$05$" + body,
                "bad base64", "$2a$05$" + body.substring(0, 50) + "+/=",
                "truncated", good.substring(0, 40),
                "plaintext", "hunter2");
        Path web = dir.resolve("web.yml");
        for (Map.Entry<String, String> b : broken.entrySet()) {
            Files.writeString(web, "basic_auth_users:\n  alice: '" + b.getValue() + "'\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebConfig.load(web), b.getKey());
            assertTrue(e.getMessage().contains("user 'alice'"), b.getKey() + ": " + e.getMessage());
            assertFalse(e.getMessage().contains(b.getValue()), "the hash is not echoed: " + e.getMessage());
            if (!b.getKey().startsWith("cost")) {
                continue;
            }
            // The whole application refuses to start, rather than failing every request later.
            assertThrows(RuntimeException.class, () -> ApplicationContext.run(EmbeddedServer.class, Map.of(
                    "micronaut.server.port", FreePort.next(), "gonka.web-config-file", web.toString(), "gonka.enabled", "false")).close(),
                    b.getKey());
        }
        for (String version : List.of("2a", "2b", "2y")) {
            Files.writeString(web, "basic_auth_users:\n  alice: '$" + version + good.substring(3) + "'\n");
            assertEquals(1, WebConfig.load(web).basicAuthUsers().size(), version);
        }
        Files.writeString(web, "basic_auth_users:\n  alice: '$2b$14$" + body + "'\n");
        WebConfig expensive = WebConfig.load(web);
        assertTrue(expensive.warnings().stream().anyMatch(w -> w.contains("has cost 14")), expensive.warnings().toString());
    }

    @Test
    void malformedCredentialsAreAQuiet401() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "s3cret".toCharArray());
        try (LogCapture logs = new LogCapture(); EmbeddedServer server = start(hash)) {
            URI metrics = URI.create("http://127.0.0.1:" + server.getPort() + "/metrics");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> headers = List.of(
                    "Basic !!!not-base64!!!",
                    "Basic ",
                    basic("no-colon-at-all"),
                    basic("prometheus:" + "p".repeat(73)),          // over bcrypt's 72 bytes
                    basic("prometheus:" + "\u00e9".repeat(40)),     // 80 bytes in UTF-8
                    basic(new byte[] {'p', ':', (byte) 0xC3, (byte) 0x28}), // invalid UTF-8
                    "Basic " + "A".repeat(6000),
                    "Bearer abc",
                    "basic" + basic("prometheus:s3cret").substring(5).replace(" ", ""));
            for (String h : headers) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(metrics).header("Authorization", h)
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, r.statusCode(), h.length() > 60 ? h.substring(0, 60) : h);
            }
            assertEquals(200, client.send(HttpRequest.newBuilder(metrics).header("Authorization", basic("prometheus:s3cret")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(0, logs.withStackTraces(), logs.all());
            assertFalse(logs.all().contains("ERROR"), logs.all());
        }
    }
}
