package io.gonka.exporter.upstream;

import io.gonka.exporter.config.ExporterConfig;
import java.util.Optional;

/**
 * The client side of the ML nodes' optional mTLS ({@code deploy/join/MTLS.md}): nginx in front of the PoC
 * port wants the API node's certificate ({@code dapi.crt}/{@code dapi.key}) and presents its own self-signed
 * {@code mlnode.crt}, which is pinned as the only trusted certificate. Paths are PEM files.
 *
 * @param trustPath empty: the JVM's default CAs (a proxy with a public certificate)
 */
public record MlNodeTls(String certPath, String keyPath, String trustPath) {

    public static Optional<MlNodeTls> from(ExporterConfig cfg) {
        String cert = blankToEmpty(cfg.mlnodeTlsCert());
        String key = blankToEmpty(cfg.mlnodeTlsKey());
        String ca = blankToEmpty(cfg.mlnodeTlsCa());
        if (cert.isEmpty() != key.isEmpty()) {
            throw new IllegalArgumentException("gonka.mlnode-tls-cert and gonka.mlnode-tls-key go together: set both or neither");
        }
        if (cert.isEmpty() && ca.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MlNodeTls(cert, key, ca));
    }

    private static String blankToEmpty(String s) {
        return s == null ? "" : s.trim();
    }
}
