package io.gonka.exporter.support;

import io.gonka.exporter.config.ExporterConfig;
import java.time.Duration;
import java.util.List;

/** An {@link ExporterConfig} with the production defaults, adjustable field by field. */
public final class TestConfig {
    public boolean enabled = true;
    public String adminUrl = "http://127.0.0.1:1";
    public String rpcUrl = "http://127.0.0.1:1";
    public String publicUrl = "http://127.0.0.1:1";
    public String participantAddress = null;
    public List<String> referenceUrls = List.of();
    public Duration timeout = Duration.ofSeconds(5);
    public long maxBodyBytes = 32L * 1024 * 1024;
    public boolean networkSeries = false;
    public Duration interval = null; // when set: every source polls at this interval
    public int mlnodeConcurrency = 8;
    public int maxLabelLength = 128;
    public int maxMlNodes = 512;
    public int maxNetworkParticipants = 10000;
    public boolean nvmlEnabled = false;
    public String nvmlLibraryPath = null;
    public String chainRestUrl = null;
    /** null: /health on every poll (tests that poll twice without moving the clock see the same route) */
    public Duration mlnodeDetailInterval = null;
    public String mlnodeScheme = "http";
    public String mlnodeTlsCert = null;
    public String mlnodeTlsKey = null;
    public String mlnodeTlsCa = null;
    public int validatorSlashingWindow = 100;
    /** --[no-]collector.* switches */
    public io.gonka.exporter.config.CollectorsConfig collectors = io.gonka.exporter.config.CollectorsConfig.allOn();

    public static TestConfig allAt(String baseUrl) {
        TestConfig c = new TestConfig();
        c.adminUrl = baseUrl;
        c.rpcUrl = baseUrl;
        c.publicUrl = baseUrl;
        return c;
    }

    private Duration or(Duration d) {
        return interval != null ? interval : d;
    }

    public ExporterConfig build() {
        return new ExporterConfig(enabled, adminUrl, rpcUrl, publicUrl, participantAddress, referenceUrls, timeout, maxBodyBytes,
                networkSeries, or(Duration.ofSeconds(10)), or(Duration.ofSeconds(60)), or(Duration.ofSeconds(60)),
                or(Duration.ofSeconds(5)), or(Duration.ofSeconds(30)), or(Duration.ofSeconds(15)), or(Duration.ofSeconds(15)),
                or(Duration.ofSeconds(60)), or(Duration.ofSeconds(30)), or(Duration.ofSeconds(15)), mlnodeConcurrency,
                maxLabelLength, maxMlNodes, maxNetworkParticipants, nvmlEnabled, nvmlLibraryPath, or(Duration.ofSeconds(10)),
                chainRestUrl, or(Duration.ofSeconds(60)),
                mlnodeDetailInterval != null ? mlnodeDetailInterval : Duration.ZERO,
                mlnodeScheme, mlnodeTlsCert, mlnodeTlsKey, mlnodeTlsCa,
                or(Duration.ofSeconds(60)), or(Duration.ofSeconds(5)), validatorSlashingWindow,
                or(Duration.ofSeconds(60)));
    }
}
