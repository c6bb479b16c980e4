package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.upstream.ExporterUrls;
import io.gonka.exporter.upstream.MlNodeTls;
import io.gonka.exporter.upstream.UpstreamClient;
import io.gonka.exporter.config.ExporterConfig;
import io.gonka.exporter.model.ParticipantIdentity;
import java.time.Clock;
import java.util.Optional;

/**
 * The Gonka upstreams of one host, built from configuration and registered with the scheduler.
 * With {@code gonka.enabled=false} there are none (a plain GPU exporter); the reference-height
 * source exists only when reference nodes are configured.
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

    public GonkaSources(ExporterConfig cfg, UpstreamClient client, SourceScheduler scheduler, Clock clock) {
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
        adminNodes = scheduler.register(new AdminNodesSource(client, admin, cfg.intervalAdminNodes(), cfg.maxMlNodes()));
        adminConfig = scheduler.register(new AdminConfigSource(client, admin, cfg.intervalAdminConfig()));
        setupReport = scheduler.register(new SetupReportSource(client, admin, cfg.intervalSetupReport(), cfg.maxMlNodes() + 64));
        rpcStatus = scheduler.register(new RpcStatusSource(client, rpc, cfg.intervalRpcStatus()));
        rpcNetInfo = scheduler.register(new RpcNetInfoSource(client, rpc, cfg.intervalRpcNetInfo()));
        RpcStatusSource status = rpcStatus;
        validatorLiveness = scheduler.register(new ValidatorLivenessSource(client, rpc, cfg.intervalValidatorLiveness(),
                Math.max(1, cfg.validatorSlashingWindow()), () -> scheduler.state(status).fresh()));
        referenceHeights = cfg.referenceUrlsOrEmpty().isEmpty() ? null
                : scheduler.register(new ReferenceHeightsSource(client, cfg.referenceUrlsOrEmpty(), cfg.intervalReferenceHeights()));
        epoch = scheduler.register(new EpochSource(client, pub, cfg.intervalEpoch()));
        participants = scheduler.register(new ParticipantsSource(client, pub, cfg.intervalParticipants(), cfg.maxNetworkParticipants()));
        identity = new ParticipantIdentity(cfg.participantAddressOrEmpty(),
                () -> scheduler.state(setupReport).fresh(),
                () -> scheduler.state(adminConfig).fresh(),
                () -> scheduler.state(participants).fresh(),
                () -> scheduler.state(rpcStatus).fresh());
        participantStats = scheduler.register(new ParticipantStatsSource(client, pub, cfg.chainRestUrlOrEmpty(),
                cfg.intervalParticipantStats(), identity::address));
        collateral = scheduler.register(new CollateralSource(client, pub, cfg.chainRestUrlOrEmpty(), cfg.intervalCollateral(), identity::address));
        chainParams = scheduler.register(new ChainParamsSource(client, rpc, pub, cfg.intervalChainParams()));
        upgradeStatus = scheduler.register(new UpgradeStatusSource(client, admin, cfg.intervalUpgradeStatus(), cfg.maxMlNodes()));
        mlNodeClient = client.withTls(MlNodeTls.from(cfg));
        mlNodeHealth = scheduler.register(new MlNodeHealthSource(mlNodeClient, cfg.intervalMlnodeHealth(), cfg.mlnodeDetailInterval(),
                cfg.mlnodeScheme(), cfg.mlnodeConcurrency(),
                () -> scheduler.state(adminNodes).fresh(),
                () -> scheduler.state(adminConfig).fresh(),
                () -> scheduler.state(adminConfig).attempts() > 0, clock));
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
