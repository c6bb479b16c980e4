package io.gonka.exporter.upstream;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Issue 16, finding 4: user info in an upstream URL is used as Basic auth and never shown. */
class UrlCredentialsTest {
    @Test
    void userInfoBecomesABasicHeaderAndIsRedacted() {
        UrlCredentials c = UrlCredentials.of("http://ops:p%40ss:word@127.0.0.1:9200/admin");
        assertEquals("http://127.0.0.1:9200/admin", c.url());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("ops:p@ss:word".getBytes(StandardCharsets.UTF_8)), c.authorization());
        assertEquals("http://***@127.0.0.1:9200/admin", c.redacted());

        UrlCredentials plain = UrlCredentials.of("https://node.example:8000/v1?x=a@b");
        assertNull(plain.authorization(), "an @ in the query is not user info");
        assertEquals("https://node.example:8000/v1?x=a@b", plain.url());
        assertEquals(plain.url(), plain.redacted());
    }

    @Test
    void everyUrlInAMessageAndEveryHostIsRedacted() {
        assertEquals("cannot reach http://***@10.0.0.1:9200/x: refused (https://***@h/)",
                UrlCredentials.redact("cannot reach http://u:secret@10.0.0.1:9200/x: refused (https://u2:s2@h/)"));
        assertEquals("***@10.0.0.5", UrlCredentials.redactHost("mluser:secret@10.0.0.5"));
        assertEquals("https://***@abc-8080.proxy.runpod.net", UrlCredentials.redactHost("https://u:secret@abc-8080.proxy.runpod.net"));
        assertEquals("10.0.0.5", UrlCredentials.redactHost("10.0.0.5"));
    }
}
