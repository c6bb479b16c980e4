package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.upstream.ExporterUrls;
import io.gonka.exporter.upstream.MlNodeTls;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.exporter.config.CollectorsConfig;
import io.gonka.exporter.config.ExporterConfig;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.model.ParticipantIdentity;
import java.time.Clock;
import java.util.Optional;

/**
 * The Gonka upstreams of one host, built from configuration and registered with the scheduler.
 * With {@code gonka.enabled=false} there are none (a plain GPU exporter); the reference-height
 * source exists only when reference nodes are configured, and a source switched off with
 * {@code --no-collector.<name>} is not there at all (its field is null).
 */
public final class GonkaSources implements AutoCloseable {
    public final boolean enabled;
    public final AdminNodesSource adminNodes;
    public final AdminConfigSource adminConfig;
    public final SetupReportSource setupReport;
    public final RpcStatusSource rpcStatus;
    public final RpcNetInfoSource rpcNetInfo;
    public final ReferenceHeightsSource referenceHeights;
    public final EpochSource epoch;
    public final ParticipantsSource participants;
    public final ParticipantStatsSource participantStats;
    public final ChainParamsSource chainParams;
    public final ValidatorLivenessSource validatorLiveness;
    public final CollateralSource collateral;
    public final MlNodeHealthSource mlNodeHealth;
    public final UpgradeStatusSource upgradeStatus;
    /** The shared client, or one with the ML nodes' mTLS client certificate when that is configured. */
    private final UpstreamClient mlNodeClient;
    private final UpstreamClient client;
    public final ParticipantIdentity identity;
    /** Local GPUs; also there with the Gonka sources off (a plain GPU exporter). */
    public final io.gonka.exporter.sources.nvml.NvmlSource nvml;

    private final SourceScheduler scheduler;
    private final CollectorsConfig collectors;

    public GonkaSources(ExporterConfig cfg, UpstreamClient client, SourceScheduler scheduler, Clock clock) {
        this(cfg, CollectorsConfig.allOn(), client, scheduler, clock);
    }

    public GonkaSources(ExporterConfig cfg, CollectorsConfig collectors, UpstreamClient client, SourceScheduler scheduler, Clock clock) {
        this.scheduler = scheduler;
        this.collectors = collectors;
        this.enabled = cfg.enabled();
        this.client = client;
        this.nvml = cfg.nvmlEnabled()
                ? scheduler.register(new io.gonka.exporter.sources.nvml.NvmlSource(cfg.nvmlLibraryPath(), cfg.intervalNvml()))
                : null;
        if (!enabled) {
            adminNodes = null;
            adminConfig = null;
            setupReport = null;
            rpcStatus = null;
            rpcNetInfo = null;
            referenceHeights = null;
            epoch = null;
            participants = null;
            participantStats = null;
            chainParams = null;
            validatorLiveness = null;
            collateral = null;
            mlNodeHealth = null;
            upgradeStatus = null;
            mlNodeClient = null;
            identity = null;
            return;
        }
        String admin = ExporterUrls.trimSlash(cfg.adminUrl());
        String rpc = ExporterUrls.trimSlash(cfg.rpcUrl());
        String pub = ExporterUrls.trimSlash(cfg.publicUrl());
        adminNodes = add(new AdminNodesSource(client, admin, cfg.intervalAdminNodes(), cfg.maxMlNodes()));
        adminConfig = add(new AdminConfigSource(client, admin, cfg.intervalAdminConfig()));
        setupReport = add(new SetupReportSource(client, admin, cfg.intervalSetupReport(), cfg.maxMlNodes() + 64));
        rpcStatus = add(new RpcStatusSource(client, rpc, cfg.intervalRpcStatus()));
        rpcNetInfo = add(new RpcNetInfoSource(client, rpc, cfg.intervalRpcNetInfo()));
        RpcStatusSource status = rpcStatus;
        validatorLiveness = add(new ValidatorLivenessSource(client, rpc, cfg.intervalValidatorLiveness(),
                Math.max(1, cfg.validatorSlashingWindow()), () -> fresh(status)));
        referenceHeights = cfg.referenceUrlsOrEmpty().isEmpty() ? null
                : add(new ReferenceHeightsSource(client, cfg.referenceUrlsOrEmpty(), cfg.intervalReferenceHeights()));
        epoch = add(new EpochSource(client, pub, cfg.intervalEpoch()));
        participants = add(new ParticipantsSource(client, pub, cfg.intervalParticipants(), cfg.maxNetworkParticipants()));
        identity = new ParticipantIdentity(cfg.participantAddressOrEmpty(),
                () -> fresh(setupReport),
                () -> fresh(adminConfig),
                () -> fresh(participants),
                () -> fresh(rpcStatus));
        participantStats = add(new ParticipantStatsSource(client, pub, cfg.chainRestUrlOrEmpty(),
                cfg.intervalParticipantStats(), identity::address));
        collateral = add(new CollateralSource(client, pub, cfg.chainRestUrlOrEmpty(), cfg.intervalCollateral(), identity::address));
        chainParams = add(new ChainParamsSource(client, rpc, pub, cfg.intervalChainParams()));
        upgradeStatus = add(new UpgradeStatusSource(client, admin, cfg.intervalUpgradeStatus(), cfg.maxMlNodes()));
        mlNodeClient = client.withTls(MlNodeTls.from(cfg));
        AdminConfigSource configSource = adminConfig;
        mlNodeHealth = add(new MlNodeHealthSource(mlNodeClient, cfg.intervalMlnodeHealth(), cfg.mlnodeDetailInterval(),
                cfg.mlnodeScheme(), cfg.mlnodeConcurrency(),
                () -> fresh(adminNodes),
                () -> fresh(configSource),
                // without admin_config there is no version prefix to wait for
                () -> configSource == null || scheduler.state(configSource).attempts() > 0, clock));
    }

    /** Registers a source unless the operator switched it off (then null). */
    private <T, S extends Source<T>> S add(S source) {
        return collectors.enabled(source.name()) ? scheduler.register(source) : null;
    }

    private <T> Optional<T> fresh(Source<T> source) {
        return source == null ? Optional.empty() : scheduler.state(source).fresh();
    }

    public Optional<ReferenceHeightsSource> referenceHeights() {
        return Optional.ofNullable(referenceHeights);
    }

    @Override
    public void close() {
        if (nvml != null) {
            nvml.close();
        }
        if (mlNodeClient != null && mlNodeClient != client) {
            mlNodeClient.close();
        }
    }
}
