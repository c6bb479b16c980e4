package io.gonka.exporter.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Prometheus exporter-toolkit {@code web-config.yml} format, so operators reuse what they know:
 * {@code tls_server_config.cert_file}/{@code key_file}/{@code min_version} and
 * {@code basic_auth_users} (bcrypt hashes). Settings this exporter cannot honour (client
 * certificates, cipher lists) are refused at start rather than silently ignored.
 */
public record WebConfig(Path certFile, Path keyFile, String minVersion, Map<String, String> basicAuthUsers) {

    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "min_version");
    private static final Set<String> TOP_KEYS = Set.of("tls_server_config", "basic_auth_users");

    public boolean tls() {
        return certFile != null;
    }

    public static WebConfig load(Path file) {
        Object doc;
        try (InputStream in = Files.newInputStream(file)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("web config " + file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("web config " + file + ": not valid YAML: " + e.getMessage(), e);
        }
        if (doc == null) {
            return new WebConfig(null, null, null, Map.of());
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("web config " + file + ": expected a mapping at the top");
        }
        for (Object k : top.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(k))) {
                throw new IllegalArgumentException("web config " + file + ": unsupported key '" + k + "' (supported: " + TOP_KEYS + ")");
            }
        }
        Path cert = null;
        Path key = null;
        String minVersion = null;
        Object tls = top.get("tls_server_config");
        if (tls != null) {
            if (!(tls instanceof Map<?, ?> t)) {
                throw new IllegalArgumentException("web config " + file + ": tls_server_config must be a mapping");
            }
            for (Object k : t.keySet()) {
                if (!TLS_KEYS.contains(String.valueOf(k))) {
                    throw new IllegalArgumentException("web config " + file + ": unsupported tls_server_config key '" + k
                            + "' (supported: " + TLS_KEYS + ")");
                }
            }
            cert = resolve(file, t.get("cert_file"), "tls_server_config.cert_file");
            key = resolve(file, t.get("key_file"), "tls_server_config.key_file");
            if (t.get("min_version") != null) {
                minVersion = String.valueOf(t.get("min_version"));
                if (!List.of("TLS12", "TLS13").contains(minVersion)) {
                    throw new IllegalArgumentException("web config " + file + ": min_version must be TLS12 or TLS13");
                }
            }
        }
        Map<String, String> users = new LinkedHashMap<>();
        Object auth = top.get("basic_auth_users");
        if (auth != null) {
            if (!(auth instanceof Map<?, ?> a)) {
                throw new IllegalArgumentException("web config " + file + ": basic_auth_users must be a mapping of user: bcrypt-hash");
            }
            a.forEach((u, h) -> {
                String hash = String.valueOf(h);
                if (!hash.matches("^\\$2[abxy]?\\$\\d\\d\\$.{53}$")) {
                    throw new IllegalArgumentException("web config " + file + ": the password of user '" + u + "' is not a bcrypt hash");
                }
                users.put(String.valueOf(u), hash);
            });
        }
        return new WebConfig(cert, key, minVersion, Map.copyOf(users));
    }

    private static Path resolve(Path file, Object value, String what) {
        if (value == null || String.valueOf(value).isBlank()) {
            throw new IllegalArgumentException("web config " + file + ": " + what + " is required for TLS");
        }
        Path p = Path.of(String.valueOf(value));
        if (!p.isAbsolute()) {
            Path dir = file.toAbsolutePath().getParent();
            p = dir.resolve(p); // relative to the config file, as the exporter-toolkit does
        }
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException("web config " + file + ": " + what + " " + p + " is not readable");
        }
        return p;
    }

    /** Micronaut properties that make the server speak TLS on its usual port with these PEM files. */
    public Map<String, Object> serverProperties(int port) {
        Map<String, Object> props = new LinkedHashMap<>();
        if (tls()) {
            props.put("micronaut.server.ssl.enabled", true);
            props.put("micronaut.server.ssl.port", port);
            props.put("micronaut.server.ssl.key-store.key-path", "file:" + keyFile);
            props.put("micronaut.server.ssl.key-store.certificate-path", "file:" + certFile);
            props.put("micronaut.server.ssl.protocols", "TLS13".equals(minVersion) ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2"));
        }
        return props;
    }
}
