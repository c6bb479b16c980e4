package io.gonka.exporter.http;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.bench.ImageProcess;
import io.gonka.exporter.support.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, finding 7, on the jar run as the image runs it: the exporter-toolkit's
 * {@code cipher_suites} and {@code curve_preferences} are honoured, and a client cannot start a
 * TLS 1.2 renegotiation. (Curves and renegotiation are JVM-wide settings the jar's main applies
 * before any TLS is used, which is why this runs the jar and not a server inside the test JVM.)
 */
class TlsIT {
    record Outcome(boolean connected, String out) {}

    static Outcome sClient(Path dir, int port, String stdin, long holdMillis, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes());
        p.getOutputStream().flush();
        Thread.sleep(holdMillis);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Outcome(out.contains("Cipher is ") && !out.contains("Cipher is (NONE)"), out);
    }

    @Test
    void cipherSuitesCurvePreferencesAndNoRenegotiation(@TempDir Path work) throws Exception {
        Process gen = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "key.pem", "-out", "cert.pem")
                .directory(work.toFile()).redirectErrorStream(true).start();
        gen.getInputStream().readAllBytes();
        assertEquals(0, gen.waitFor());
        Files.setPosixFilePermissions(work.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
        Path web = work.resolve("web-config.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n"
                + "  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n  curve_preferences: [CurveP384]\n");
        Path jna = ImageProcess.extractJna(work);
        int port = FreePort.next();
        try (ImageProcess exporter = ImageProcess.start("tls", work, jna, port, Map.of(
                "GONKA_WEB_CONFIG_FILE", web.toString(), "GONKA_ENABLED", "false", "GONKA_NVML_ENABLED", "false"))) {
            String[] allowed = {"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384", "-groups", "P-384"};
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            Outcome ok;
            while (!(ok = sClient(work, port, "Q\n", 0, allowed)).connected() && System.nanoTime() < deadline) {
                exporter.requireAlive();
                Thread.sleep(250);
            }
            assertTrue(ok.connected(), ok.out() + exporter.logText());

            assertFalse(sClient(work, port, "Q\n", 0, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256").connected(),
                    "a suite outside cipher_suites");
            assertFalse(sClient(work, port, "Q\n", 0, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384", "-groups", "P-256").connected(),
                    "a curve outside curve_preferences");
            assertFalse(sClient(work, port, "Q\n", 0, "-tls1_3", "-groups", "P-256:X25519").connected(), "TLS 1.3 too keeps to the curves");
            assertTrue(sClient(work, port, "Q\n", 0, "-tls1_3", "-groups", "P-384").connected());

            // "R" asks s_client to renegotiate; the server answers with a fatal alert.
            Outcome reneg = sClient(work, port, "R\n", 2_000, allowed);
            assertTrue(reneg.connected(), reneg.out());
            assertTrue(reneg.out().contains("RENEGOTIATING"), reneg.out());
            assertTrue(reneg.out().contains("alert handshake failure"), "renegotiation was not refused:\n" + reneg.out());
            exporter.requireAlive();
        }
    }
}
