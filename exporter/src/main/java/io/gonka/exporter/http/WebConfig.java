package io.gonka.exporter.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Prometheus exporter-toolkit {@code web-config.yml} format, so operators reuse what they know:
 * {@code tls_server_config.cert_file}/{@code key_file}/{@code min_version}/{@code cipher_suites}/
 * {@code curve_preferences} and {@code basic_auth_users} (bcrypt hashes). Settings this exporter
 * cannot honour (client certificates, inline keys) are refused at start rather than silently ignored.
 */
public record WebConfig(Path certFile, Path keyFile, String minVersion, List<String> cipherSuites,
        List<String> curvePreferences, Map<String, String> basicAuthUsers, List<String> warnings) {

    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "min_version", "cipher_suites", "curve_preferences");
    private static final Set<String> TOP_KEYS = Set.of("tls_server_config", "basic_auth_users");

    /**
     * TLS 1.2 suites used unless {@code cipher_suites} says otherwise: forward secret (ECDHE) and
     * authenticated encryption (GCM, ChaCha20-Poly1305) only. TLS 1.3 suites all qualify.
     */
    public static final List<String> DEFAULT_TLS12_SUITES = List.of(
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** As Go, which the toolkit uses, TLS 1.3 suites are not configurable: all of them are AEAD and forward secret. */
    public static final List<String> TLS13_SUITES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    /** The toolkit's curve names and the JDK's names for the same groups. */
    public static final Map<String, String> CURVES = Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");

    /** How often the certificate and key files are checked for changes. */
    public static final String CERT_REFRESH_INTERVAL = "10s";

    public boolean tls() {
        return certFile != null;
    }

    /** TLS 1.2 and 1.3 suites the server offers. */
    public List<String> ciphers() {
        List<String> all = new ArrayList<>(TLS13_SUITES);
        all.addAll(cipherSuites.isEmpty() ? DEFAULT_TLS12_SUITES : cipherSuites);
        return all;
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
        List<String> warnings = new ArrayList<>();
        if (doc == null) {
            warnings.add("web config " + file + " is empty: serving plain HTTP without authentication");
            return new WebConfig(null, null, null, List.of(), List.of(), Map.of(), List.copyOf(warnings));
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
        List<String> suites = List.of();
        List<String> curves = List.of();
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
            suites = cipherSuites(file, t.get("cipher_suites"), warnings);
            curves = curves(file, t.get("curve_preferences"));
            if (worldReadable(key)) {
                warnings.add("web config " + file + ": the TLS key file " + key + " is readable by every user on this machine (chmod 600 it)");
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
                String problem = BcryptHashes.problem(hash);
                if (problem != null) {
                    throw new IllegalArgumentException("web config " + file + ": the password hash of user '" + u + "' " + problem);
                }
                if (BcryptHashes.cost(hash) > BcryptHashes.SANE_COST) {
                    warnings.add("web config " + file + ": the password hash of user '" + u + "' has cost " + BcryptHashes.cost(hash)
                            + "; every first login costs that much CPU (" + BcryptHashes.SANE_COST + " or less is plenty)");
                }
                users.put(String.valueOf(u), hash);
            });
        }
        if (cert == null && users.isEmpty()) {
            warnings.add("web config " + file + " turns on neither TLS nor basic auth: serving plain HTTP without authentication");
        } else if (cert == null) {
            warnings.add("web config " + file + ": basic auth without TLS sends passwords in clear text");
        }
        return new WebConfig(cert, key, minVersion, suites, curves, Map.copyOf(users), List.copyOf(warnings));
    }

    private static List<String> cipherSuites(Path file, Object value, List<String> warnings) {
        List<String> names = stringList(file, value, "cipher_suites");
        Set<String> supported;
        try {
            supported = Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (String n : names) {
            if (TLS13_SUITES.contains(n) || !supported.contains(n)) {
                throw new IllegalArgumentException("web config " + file + ": unknown TLS 1.2 cipher suite '" + n + "' in cipher_suites");
            }
            if (!n.startsWith("TLS_ECDHE_") || !(n.contains("_GCM_") || n.contains("_CHACHA20_POLY1305"))) {
                warnings.add("web config " + file + ": cipher suite " + n + " is not a forward-secret AEAD suite");
            }
        }
        return names;
    }

    private static List<String> curves(Path file, Object value) {
        List<String> jdkNames = new ArrayList<>();
        for (String n : stringList(file, value, "curve_preferences")) {
            String jdk = CURVES.get(n);
            if (jdk == null) {
                throw new IllegalArgumentException("web config " + file + ": unknown curve '" + n + "' in curve_preferences (known: "
                        + new java.util.TreeSet<>(CURVES.keySet()) + ")");
            }
            jdkNames.add(jdk);
        }
        return List.copyOf(jdkNames);
    }

    private static List<String> stringList(Path file, Object value, String what) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("web config " + file + ": tls_server_config." + what + " must be a list");
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static boolean worldReadable(Path p) {
        try {
            return Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
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

    /** One line for the start-up log: what protects the listener. */
    public String describe() {
        String t = tls() ? "TLS on (" + ("TLS13".equals(minVersion) ? "TLS 1.3" : "TLS 1.2+") + ", certificate " + certFile
                + " reloaded on change)" : "TLS off";
        String a = basicAuthUsers.isEmpty() ? "basic auth off" : "basic auth on (" + basicAuthUsers.size() + " user"
                + (basicAuthUsers.size() == 1 ? "" : "s") + ")";
        return t + ", " + a;
    }

    /**
     * JVM-wide TLS settings: curves and renegotiation can only be set by system properties on Java 17,
     * and those are read once, when TLS is first used, so this runs before the server starts.
     */
    public void applyJvmWideTlsSettings() {
        // TLS 1.3 has no renegotiation; this refuses the TLS 1.2 kind a client asks for.
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        if (!curvePreferences.isEmpty()) {
            System.setProperty("jdk.tls.namedGroups", String.join(",", curvePreferences));
        }
    }

    /** Micronaut properties that make the server speak TLS on its usual port with these PEM files. */
    public Map<String, Object> serverProperties(int port) {
        Map<String, Object> props = new LinkedHashMap<>();
        if (tls()) {
            props.put("micronaut.server.ssl.enabled", true);
            props.put("micronaut.server.ssl.port", port);
            // A certificate provider that re-reads the files when they change (renewals need no restart).
            props.put("micronaut.certificate.file.web-config.path", keyFile.toString());
            props.put("micronaut.certificate.file.web-config.certificate-path", certFile.toString());
            props.put("micronaut.certificate.file.web-config.format", "PEM");
            props.put("micronaut.certificate.file.web-config.refresh-mode", "SCHEDULER");
            props.put("micronaut.certificate.file.web-config.refresh-interval", CERT_REFRESH_INTERVAL);
            props.put("micronaut.server.ssl.key-name", "web-config");
            props.put("micronaut.server.ssl.protocols", "TLS13".equals(minVersion) ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2"));
            props.put("micronaut.server.ssl.ciphers", ciphers());
            props.put("micronaut.server.ssl.handshake-timeout", "10s");
        }
        return props;
    }
}
