package io.gonka.exporter.http;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.FreePort;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, finding 7, with real TLS handshakes (openssl s_client) against the server in this JVM:
 * forward-secret AEAD suites only by default, certificates reloaded when the files change, the
 * warnings for configs that protect nothing and for a world-readable key, and the limits on idle,
 * slow and too many connections. (Curves and renegotiation are JVM-wide settings: see TlsIT.)
 */
class TlsAndConnectionsTest {
    @TempDir
    Path dir;

    static Proc run(Path dir, String stdin, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        return new Proc(p.exitValue(), out);
    }

    record Proc(int exit, String out) {}

    static void certificate(Path dir, String cn) throws Exception {
        Proc p = run(dir, "", "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "key.pem.new", "-out", "cert.pem.new");
        assertEquals(0, p.exit(), p.out());
        // Replaced as cert-manager or certbot would: the new files moved into place.
        Files.move(dir.resolve("key.pem.new"), dir.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(dir.resolve("cert.pem.new"), dir.resolve("cert.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A TLS 1.2 handshake with only these (OpenSSL-named) suites offered; true when it completed. */
    static boolean handshake(Path dir, int port, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost"));
        cmd.addAll(List.of(options));
        Proc p = run(dir, "Q\n", cmd.toArray(String[]::new));
        return p.out().contains("BEGIN CERTIFICATE") && !p.out().contains("Cipher is (NONE)") && !p.out().contains("Cipher    : 0000");
    }

    static String servedSubject(Path dir, int port) throws Exception {
        Proc p = run(dir, "Q\n", "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername", "localhost");
        int i = p.out().indexOf("subject=");
        return i < 0 ? p.out() : p.out().substring(i, p.out().indexOf('\n', i));
    }

    @Test
    void onlyForwardSecretAeadSuitesAndTheCertificateIsReloadedWhenItsFilesChange() throws Exception {
        certificate(dir, "first");
        Path web = dir.resolve("web-config.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n");
        int port = FreePort.next();
        Map<String, Object> props = new HashMap<>(WebConfig.load(web).serverProperties(port));
        props.put("micronaut.certificate.file.web-config.refresh-interval", "500ms");
        props.put("micronaut.server.port", port);
        props.put("gonka.web-config-file", web.toString());
        props.put("gonka.enabled", "false");
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, props)) {
            assertTrue(server.getApplicationContext().getBean(WebSecurity.class).describe().startsWith("TLS on"));
            assertTrue(handshake(dir, port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"));
            assertTrue(handshake(dir, port, "-tls1_2", "-cipher", "ECDHE-RSA-CHACHA20-POLY1305"));
            assertTrue(handshake(dir, port, "-tls1_3"));
            assertFalse(handshake(dir, port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-SHA"), "CBC, even with ECDHE");
            assertFalse(handshake(dir, port, "-tls1_2", "-cipher", "AES128-GCM-SHA256"), "RSA key exchange: no forward secrecy");
            assertFalse(handshake(dir, port, "-tls1_2", "-cipher", "AES128-SHA"));
            assertFalse(handshake(dir, port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), "TLS 1.1");

            assertTrue(servedSubject(dir, port).contains("CN = first"), servedSubject(dir, port));
            certificate(dir, "renewed");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String subject = "";
            while (System.nanoTime() < deadline && !(subject = servedSubject(dir, port)).contains("CN = renewed")) {
                Thread.sleep(250);
            }
            assertTrue(subject.contains("CN = renewed"), "the renewed certificate was not picked up: " + subject);
        }
    }

    @Test
    void configsThatProtectNothingOrExposeTheKeyAreWarnedAbout() throws Exception {
        certificate(dir, "warn");
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "");
        assertTrue(WebConfig.load(web).warnings().get(0).contains("is empty: serving plain HTTP without authentication"));
        Files.writeString(web, "basic_auth_users: {}\n");
        WebConfig none = WebConfig.load(web);
        assertTrue(none.warnings().get(0).contains("neither TLS nor basic auth"), none.warnings().toString());
        assertEquals("TLS off, basic auth off", none.describe());

        Files.setPosixFilePermissions(dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n");
        assertTrue(WebConfig.load(web).warnings().stream().anyMatch(w -> w.contains("readable by every user")));
        Files.setPosixFilePermissions(dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
        assertEquals(List.of(), WebConfig.load(web).warnings());

        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n");
        assertTrue(WebConfig.load(web).warnings().stream().anyMatch(w -> w.contains("not a forward-secret AEAD suite")));
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  cipher_suites: [TLS_MADE_UP]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebConfig.load(web)).getMessage().contains("TLS_MADE_UP"));
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  curve_preferences: [CurveP999]\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebConfig.load(web)).getMessage().contains("CurveP999"));
        Files.writeString(web, "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n  curve_preferences: [X25519, CurveP384]\n");
        assertEquals(List.of("x25519", "secp384r1"), WebConfig.load(web).curvePreferences());
    }

    @Test
    void idleSlowAndSurplusConnectionsAreClosed() throws Exception {
        int port = FreePort.next();
        try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
                "micronaut.server.port", port, "gonka.enabled", "false",
                "gonka.max-connections", 4, "gonka.request-deadline", "1s", "micronaut.server.idle-timeout", "2s"))) {
            ConnectionGuard guard = server.getApplicationContext().getBean(ConnectionGuard.class);
            // Slow drip: a header line every 400 ms keeps the connection busy but never finishes a request.
            try (Socket drip = connect(port)) {
                OutputStream out = drip.getOutputStream();
                long t0 = System.nanoTime();
                boolean closed = false;
                for (int i = 0; i < 40 && !closed; i++) {
                    try {
                        out.write(("X-Drip-" + i + ": a\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        closed = closedByServer(drip, 400);
                    } catch (IOException e) {
                        closed = true;
                    }
                }
                assertTrue(closed, "a dripping client kept its connection");
                System.out.printf("slow drip cut after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            }
            // Idle: a keep-alive connection that sends nothing after its request is closed.
            try (Socket idle = connect(port)) {
                idle.getOutputStream().write("GET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String answer = readSome(idle);
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(closedByServer(idle, 10_000), "an idle keep-alive connection stayed open");
            }
            // Surplus: with 4 open, a fifth is closed at once; once one closes, new ones are served.
            List<Socket> held = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    held.add(connect(port));
                }
                long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (guard.openConnections() < 4 && System.nanoTime() < wait) {
                    Thread.sleep(20);
                }
                assertEquals(4, guard.openConnections());
                try (Socket fifth = connect(port)) {
                    assertTrue(closedByServer(fifth, 5_000), "a connection past gonka.max-connections was kept");
                }
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
            long wait = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (guard.openConnections() > 0 && System.nanoTime() < wait) {
                Thread.sleep(20);
            }
            try (Socket again = connect(port)) {
                again.getOutputStream().write("GET /health/liveness HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(readSome(again).startsWith("HTTP/1.1 200"));
            }
        }
    }

    static Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        return s;
    }

    static String readSome(Socket s) throws IOException {
        byte[] buf = new byte[4096];
        int n = s.getInputStream().read(buf);
        return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /** True when the server closed the connection within {@code millis} (end of stream or reset). */
    static boolean closedByServer(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
