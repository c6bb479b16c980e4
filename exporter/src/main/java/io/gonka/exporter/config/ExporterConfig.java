package io.gonka.exporter.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;
import java.util.List;

/**
 * Everything an operator can set, under {@code gonka.*}; each key also reads from the environment
 * ({@code gonka.admin-url} = {@code GONKA_ADMIN_URL}). Defaults fit a standard Gonka host.
 */
@ConfigurationProperties("gonka")
public record ExporterConfig(
        /* false turns every Gonka source off: a plain GPU exporter */
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "http://127.0.0.1:9200") String adminUrl,
        @Bindable(defaultValue = "http://127.0.0.1:26657") String rpcUrl,
        @Bindable(defaultValue = "http://127.0.0.1:8000") String publicUrl,
        /* empty: detect it from the node */
        @Nullable String participantAddress,
        /* other nodes' RPC (or public API) base URLs whose highest height is the reference for block lag */
        @Nullable List<String> referenceUrls,
        @Bindable(defaultValue = "5s") Duration timeout,
        @Bindable(defaultValue = "33554432") long maxBodyBytes,
        /* opt-in: every participant's and ML node's network weight (large) */
        @Bindable(defaultValue = "false") boolean networkSeries,
        @Bindable(defaultValue = "10s") Duration intervalAdminNodes,
        @Bindable(defaultValue = "60s") Duration intervalAdminConfig,
        @Bindable(defaultValue = "60s") Duration intervalSetupReport,
        @Bindable(defaultValue = "5s") Duration intervalRpcStatus,
        @Bindable(defaultValue = "30s") Duration intervalRpcNetInfo,
        @Bindable(defaultValue = "15s") Duration intervalReferenceHeights,
        @Bindable(defaultValue = "15s") Duration intervalEpoch,
        @Bindable(defaultValue = "60s") Duration intervalParticipants,
        @Bindable(defaultValue = "30s") Duration intervalParticipantStats,
        @Bindable(defaultValue = "15s") Duration intervalMlnodeHealth,
        /* ML-node health requests in flight at once */
        @Bindable(defaultValue = "8") int mlnodeConcurrency,
        /* label values from upstream are cut to this length */
        @Bindable(defaultValue = "128") int maxLabelLength,
        /* at most this many ML nodes / setup checks / participants become series */
        @Bindable(defaultValue = "512") int maxMlNodes,
        @Bindable(defaultValue = "10000") int maxNetworkParticipants,
        @Bindable(defaultValue = "true") boolean nvmlEnabled,
        /* explicit path of libnvidia-ml.so.1; empty: the system's */
        @Nullable String nvmlLibraryPath,
        @Bindable(defaultValue = "10s") Duration intervalNvml,
        /* chain REST gateway base for participant stats where /v2/participants is absent (v0.2.0); empty: {public-url}/chain-api */
        @Nullable String chainRestUrl,
        @Bindable(defaultValue = "60s") Duration intervalUpgradeStatus,
        /* how often each ML node's /health (an NVML enumeration on the node) is asked; liveness in between via /api/v1/state */
        @Bindable(defaultValue = "60s") Duration mlnodeDetailInterval,
        /* http, or https for ML nodes whose PoC port is behind the mTLS proxy (deploy/join/MTLS.md) */
        @Bindable(defaultValue = "http") String mlnodeScheme,
        /* PEM client certificate and key for that proxy (mtls-certs/dapi.crt, dapi.key) */
        @Nullable String mlnodeTlsCert,
        @Nullable String mlnodeTlsKey,
        /* PEM certificate(s) trusted for the ML nodes (mtls-certs/mlnode.crt, pinned); empty: the JVM's CAs */
        @Nullable String mlnodeTlsCa,
        /* release and miss-test params of the chain (abci_info, abci_query): they change only by upgrade or vote */
        @Bindable(defaultValue = "60s") Duration intervalChainParams,
        /* this host's validator: set membership and one commit per new block */
        @Bindable(defaultValue = "5s") Duration intervalValidatorLiveness,
        /* x/slashing signed_blocks_window: blocks whose signatures are kept (100 on mainnet) */
        @Bindable(defaultValue = "100") int validatorSlashingWindow,
        /* this participant's collateral (only through /chain-api/) */
        @Bindable(defaultValue = "60s") Duration intervalCollateral) {

    public List<String> referenceUrlsOrEmpty() {
        return referenceUrls == null ? List.of() : referenceUrls.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public String chainRestUrlOrEmpty() {
        return chainRestUrl == null ? "" : chainRestUrl.trim();
    }

    public String participantAddressOrEmpty() {
        return participantAddress == null ? "" : participantAddress.trim();
    }

}
