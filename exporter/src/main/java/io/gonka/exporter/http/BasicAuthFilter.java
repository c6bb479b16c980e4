package io.gonka.exporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Basic auth from {@code basic_auth_users} of the web config, on every endpoint. A bcrypt check
 * costs tens of milliseconds, so a successful header is remembered (by its SHA-256) for later scrapes.
 */
@ServerFilter("/**")
public class BasicAuthFilter {
    /** Container and kubelet probes carry no credentials; they reveal only UP/DOWN. */
    private static final java.util.Set<String> PROBES = java.util.Set.of("/health/liveness", "/health/readiness");
    private final Map<String, String> users;
    private final Map<String, Boolean> accepted = new ConcurrentHashMap<>();

    public BasicAuthFilter(WebSecurity security) {
        this.users = security.config().map(WebConfig::basicAuthUsers).orElse(Map.of());
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> check(HttpRequest<?> request) {
        if (users.isEmpty() || PROBES.contains(request.getPath())) {
            return null;
        }
        String header = request.getHeaders().get("Authorization");
        if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String key = sha256(header);
            if (accepted.containsKey(key) || verify(header.substring(6).trim())) {
                if (accepted.size() < 64) {
                    accepted.put(key, Boolean.TRUE);
                }
                return null;
            }
        }
        return HttpResponse.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"gonka-exporter\"");
    }

    private boolean verify(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String hash = users.get(decoded.substring(0, colon));
        if (hash == null) {
            return false;
        }
        return BCrypt.verifyer().verify(decoded.substring(colon + 1).toCharArray(), hash.toCharArray()).verified;
    }

    private static String sha256(String s) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
