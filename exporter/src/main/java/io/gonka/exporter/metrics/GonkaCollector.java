package io.gonka.exporter.metrics;

import io.gonka.exporter.upstream.UrlCredentials;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.config.ExporterConfig;
import io.gonka.exporter.model.AdminConfigSnapshot;
import io.gonka.exporter.model.AdminNodesSnapshot;
import io.gonka.exporter.model.ChainParams;
import io.gonka.exporter.rules.CollateralWeight;
import io.gonka.exporter.model.ChainStatus;
import io.gonka.exporter.model.EpochPhase;
import io.gonka.exporter.model.EpochSnapshot;
import io.gonka.exporter.model.MlNode;
import io.gonka.exporter.model.MlNodeHealth;
import io.gonka.exporter.model.MlNodeStatus;
import io.gonka.exporter.model.NetInfo;
import io.gonka.exporter.model.Participant;
import io.gonka.exporter.model.ParticipantStats;
import io.gonka.exporter.model.ParticipantsSnapshot;
import io.gonka.exporter.model.ReferenceHeights;
import io.gonka.exporter.model.SetupReport;
import io.gonka.exporter.model.ValidatorLiveness;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.sources.GonkaSources;
import io.gonka.exporter.polling.SourceScheduler;
import io.gonka.exporter.polling.SourceState;
import io.gonka.exporter.rules.ChainRelease;
import io.gonka.exporter.rules.MissPace;
import io.gonka.exporter.rules.MissRule;
import io.gonka.exporter.rules.MissTest;
import io.gonka.exporter.rules.MissTestVerdict;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Turns the latest snapshots into metric families at scrape time. Nothing here touches the
 * network: a scrape reads what the pollers last stored, and a thing that disappeared upstream
 * disappears from the next scrape by construction.
 *
 * <p>Each family-building method is a {@link FamilyGroup}: its families (and their exposition
 * text) are reused while everything it read is unchanged. Reads are recorded as they happen:
 * {@link #fresh} records the snapshot and its freshness, {@link #watch} any other value a method
 * depends on (so a method must read its inputs through one of the two, or it would go stale).
 * Rendering is after polls (see {@link #prerender}), so a scrape usually only compares inputs.
 */
public final class GonkaCollector implements MultiCollector {
    private static final List<String> NODE_STATES = Arrays.stream(MlNodeStatus.values()).map(Enum::name).toList();
    private static final List<String> POC_STATES = List.of("IDLE", "GENERATING", "VALIDATING");
    private static final List<String> PHASES = List.of("PoCGenerate", "PoCGenerateWindDown", "PoCValidate", "PoCValidateWindDown", "Inference");
    private static final List<String> PARTICIPANT_STATES = io.gonka.exporter.sources.ParticipantStatsSource.STATUS_NAMES;
    private static final List<String> CONFIRMATION_PHASES = io.gonka.exporter.sources.EpochSource.CONFIRMATION_PHASES;

    private final ExporterConfig config;
    private final SourceScheduler scheduler;
    private final GonkaSources sources;
    private final Clock clock;
    private final io.gonka.exporter.BuildInfo build;
    /** Miss pace over the last ~1 h of blocks (at least ~9 min of them) for the end-of-epoch projection. */
    private final MissPace missPace = new MissPace(660, 100);
    private final List<FamilyGroup> groups = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The formats scrapes asked for, so that renders after a poll can prepare their text too. */
    private final Map<String, ExpositionFormatWriter> writersSeen = new java.util.concurrent.ConcurrentHashMap<>();
    private final FamilyGroup.ReusableBuffer buffer = new FamilyGroup.ReusableBuffer(256 * 1024);
    /** The inputs of the group being rendered; guarded by {@code this}. */
    private List<FamilyGroup.Input> reads;

    public GonkaCollector(ExporterConfig config, SourceScheduler scheduler, GonkaSources sources, Clock clock, String version) {
        this(config, scheduler, sources, clock, io.gonka.exporter.BuildInfo.of(version));
    }

    public GonkaCollector(ExporterConfig config, SourceScheduler scheduler, GonkaSources sources, Clock clock, io.gonka.exporter.BuildInfo build) {
        this.config = config;
        this.scheduler = scheduler;
        this.sources = sources;
        this.clock = clock;
        this.build = build;
        group("build_info", f -> f.gauge("gonka_exporter_build_info",
                "Version, git revision and branch of the exporter's build and the Java it runs on; always 1.")
                .add(1, "version", build.version(), "revision", build.revision(), "branch", build.branch(), "java_version", build.javaVersion()));
        group("source_health", this::sourceHealth);
        if (sources.enabled) {
            group("chain", this::chain);
            group("epoch", this::epochAndNetwork);
            group("network_series", this::networkSeries);
            group("node_own_view", this::nodeOwnView);
            group("participant", this::participant);
            group("mlnodes", this::mlNodes);
            group("mlnode_health", f -> fresh(sources.adminNodes).ifPresent(nodes -> mlNodeHealth(f, nodes)));
        }
        if (sources.nvml != null) {
            group("gpus", f -> {
                fresh(sources.nvml).ifPresent(fleet -> GpuMetrics.render(f, fleet));
                GpuMetrics.renderXids(f, xidCounts()); // counted events survive a failed poll
            });
        }
    }

    private void group(String name, java.util.function.Consumer<FamilyBuilder> build) {
        groups.add(new FamilyGroup(name, build, true));
    }

    /** Families from elsewhere (the GPU collectors), rendered from their own cached state. */
    public void addFamilies(Supplier<List<MetricSnapshot>> families) {
        groups.add(new FamilyGroup("extra", f -> families.get().forEach(f::add), false)); // their own state: asked every time
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> all = new ArrayList<>();
        synchronized (this) {
            renderChanged();
            groups.forEach(g -> all.addAll(g.families()));
        }
        return new MetricSnapshots(all);
    }

    /**
     * Every family in the writer's format, one array per family group, each the same object while
     * nothing its group read changed, so a caller can tell which parts changed by identity (the
     * /metrics endpoint assembles them again only then). OpenMetrics' closing {@code # EOF} is left
     * out: the caller ends the exposition.
     */
    public List<byte[]> exposition(ExpositionFormatWriter writer) throws IOException {
        writersSeen.putIfAbsent(writer.getContentType(), writer);
        synchronized (this) {
            renderChanged();
            List<byte[]> parts = new ArrayList<>(groups.size());
            for (FamilyGroup g : groups) {
                parts.add(g.text(writer, buffer));
            }
            return parts;
        }
    }

    /** Renders what changed, in every format scraped so far: called after polls, so scrapes find it done. */
    public void prerender() {
        try {
            if (writersSeen.isEmpty()) {
                synchronized (this) {
                    renderChanged();
                }
            }
            for (ExpositionFormatWriter w : writersSeen.values()) {
                exposition(w);
            }
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(GonkaCollector.class).warn("rendering after a poll failed", e);
        }
    }

    private void renderChanged() {
        for (FamilyGroup g : groups) {
            if (!g.current()) {
                reads = new ArrayList<>();
                try {
                    g.render(config.maxLabelLength(), reads);
                } finally {
                    reads = null;
                }
            }
        }
    }

    private void read(FamilyGroup.Input input) {
        if (reads != null) {
            reads.add(input);
        }
    }

    /** Reads a value the group being rendered depends on (other than a source's snapshot); compared by equals. */
    private <V> V watch(Supplier<V> probe) {
        V seen = probe.get();
        read(() -> java.util.Objects.equals(probe.get(), seen));
        return seen;
    }

    /**
     * Like {@link #watch} for a change counter, but a change counts only once the rendering is
     * older than {@code graceMillis}: ML-node answers trickle in during a sweep (whose end
     * re-renders anyway), and a render per answer would cost more than it shows.
     */
    private void watchSettled(java.util.function.LongSupplier counter, long graceMillis) {
        long seen = counter.getAsLong();
        long renderedAt = clock.millis();
        read(() -> counter.getAsLong() == seen || clock.millis() - renderedAt < graceMillis);
    }

    private io.gonka.exporter.model.gpu.XidCounts xidCounts() {
        watch(sources.nvml::xidEvents);
        return sources.nvml.xidCounts();
    }

    private void sourceHealth(FamilyBuilder f) {
        FamilyBuilder.Family up = f.gauge("gonka_source_up",
                "1 when the last poll of the upstream succeeded and its data is fresher than its max age.");
        FamilyBuilder.Family unsupported = f.gauge("gonka_source_unsupported",
                "1 for an optional upstream this node does not have (HTTP 404 from an older build); such a source has no gonka_source_up.");
        FamilyBuilder.Family last = f.gauge("gonka_source_last_success_timestamp_seconds", "Unix time of the last successful poll.");
        FamilyBuilder.Family duration = f.gauge("gonka_source_poll_duration_seconds", "How long the last poll took.");
        FamilyBuilder.Family errors = f.counter("gonka_source_errors", "Failed polls by reason (timeout, connect, http, parse).");
        // all of it changes only with a finished poll, or when a snapshot ages past its max age
        watch(() -> scheduler.changes() + "/" + scheduler.states().stream().map(s -> s.up() ? "1" : "0").collect(java.util.stream.Collectors.joining()));
        for (SourceState<?> s : scheduler.states()) {
            if (s.unsupported()) {
                unsupported.add(1, "source", s.name());
            } else {
                up.add(s.up() ? 1 : 0, "source", s.name());
            }
            s.lastSuccess().ifPresent(t -> last.add(t.toEpochMilli() / 1000.0, "source", s.name()));
            duration.add(s.lastDurationSeconds(), "source", s.name());
            for (FailureReason r : FailureReason.values()) {
                errors.add(s.errors(r), "source", s.name(), "reason", r.label());
            }
        }
    }

    /** The source's snapshot if fresh; recorded as an input of the group being rendered. */
    private <T> Optional<T> fresh(io.gonka.exporter.polling.Source<T> source) {
        if (source == null) {
            return Optional.empty();
        }
        SourceState<T> state = scheduler.state(source);
        SourceState.Good<T> good = state.last();
        boolean isFresh = state.isFresh(good);
        read(new SnapshotInput<>(state, good, isFresh));
        return isFresh ? Optional.of(good.value()) : Optional.empty();
    }

    /**
     * A source's snapshot as read by a rendering. A newer snapshot with equal content (records
     * compare by value: the same participants and weights, polled again) changes nothing, so the
     * thousands of network series are rendered again only when a weight or a participant changes.
     */
    private static final class SnapshotInput<T> implements FamilyGroup.Input {
        private final SourceState<T> state;
        private SourceState.Good<T> seen;
        private final boolean fresh;

        SnapshotInput(SourceState<T> state, SourceState.Good<T> seen, boolean fresh) {
            this.state = state;
            this.seen = seen;
            this.fresh = fresh;
        }

        @Override
        public boolean unchanged() {
            SourceState.Good<T> now = state.last();
            if (now != seen && (now == null || seen == null || !now.value().equals(seen.value()))) {
                return false;
            }
            if (state.isFresh(now) != fresh) {
                return false;
            }
            seen = now; // the same content: from now on compared by identity
            return true;
        }
    }

    private OptionalLong localHeight() {
        return fresh(sources.rpcStatus).map(s -> OptionalLong.of(s.height())).orElse(OptionalLong.empty());
    }

    private void chain(FamilyBuilder f) {
        Optional<ChainStatus> status = fresh(sources.rpcStatus);
        status.ifPresent(s -> {
            f.gauge("gonka_chain_block_height", "Latest block height of the local node.").add(s.height());
            s.latestBlockTime().ifPresent(t -> f.gauge("gonka_chain_latest_block_timestamp_seconds",
                    "Header time of the local node's latest block.").add(t.toEpochMilli() / 1000.0));
            f.gauge("gonka_chain_catching_up", "1 while the local node is syncing.").add(s.catchingUp() ? 1 : 0);
        });
        fresh(sources.rpcNetInfo).ifPresent((NetInfo n) ->
                f.gauge("gonka_chain_peers", "Connected peers (/net_info n_peers).").add(n.peers()));
        fresh(sources.validatorLiveness).ifPresent((ValidatorLiveness v) -> {
            f.gauge("gonka_chain_validator_in_active_set", "1 when this host's consensus key is in the validator set.").add(v.inActiveSet() ? 1 : 0);
            f.gauge("gonka_chain_validator_voting_power", "Voting power of this host's validator (0 when not in the set).").add(v.votingPower());
            if (v.windowBlocks() > 0) {
                f.gauge("gonka_chain_validator_window_blocks", "Blocks of the slashing window whose commit the exporter has seen.").add(v.windowBlocks());
                f.gauge("gonka_chain_validator_missed_blocks",
                        "Of those, blocks this validator did not sign while in the set (jailed above half the window).").add(v.missedBlocks());
                f.gauge("gonka_chain_validator_consecutive_missed_blocks", "Blocks missed in a row up to the newest one seen.")
                        .add(v.consecutiveMissed());
            }
            v.signingInfo().ifPresent(info -> {
                boolean jailed = info.jailedAt(v.chainTime().orElse(java.time.Instant.now()));
                f.gauge("gonka_chain_validator_jailed",
                        "1 while the slashing module keeps this validator jailed (jailed_until ahead of the chain time, or tombstoned).")
                        .add(jailed ? 1 : 0);
                if (jailed) {
                    info.jailedUntil().ifPresent(t -> f.gauge("gonka_chain_validator_jailed_until_timestamp_seconds",
                            "While jailed: the time from which the validator may unjail (slashing jailed_until).").add(t.toEpochMilli() / 1000.0));
                }
                f.gauge("gonka_chain_validator_tombstoned", "1 when the validator is tombstoned (jailed for good after double signing).")
                        .add(info.tombstoned() ? 1 : 0);
                f.gauge("gonka_chain_validator_signing_info_missed_blocks",
                        "The slashing module's own missed_blocks_counter for this validator's window.").add(info.missedBlocksCounter());
            });
        });
        Optional<ReferenceHeights> ref = fresh(sources.referenceHeights);
        ref.flatMap(r -> r.maxHeight().isPresent() ? Optional.of(r.maxHeight().getAsLong()) : Optional.empty()).ifPresent(refHeight -> {
            f.gauge("gonka_chain_reference_block_height", "Highest height among the configured reference nodes.").add(refHeight);
            status.ifPresent(s -> f.gauge("gonka_chain_block_lag_blocks",
                    "Reference height minus local height, never below 0.").add(Math.max(0, refHeight - s.height())));
        });
    }

    private void epochAndNetwork(FamilyBuilder f) {
        fresh(sources.epoch).ifPresent((EpochSnapshot e) -> {
            f.gauge("gonka_epoch_index", "Effective (paid) epoch index.").add(e.effectiveEpochIndex());
            String phase = e.phase() == EpochPhase.UNKNOWN ? "UNKNOWN" : e.phase().name();
            f.stateSet("gonka_epoch_phase", "Current epoch phase (state set).", "phase", PHASES, phase);
            e.nextPocStart().ifPresent(next -> {
                f.gauge("gonka_epoch_next_poc_start_block_height", "Block height at which the next PoC starts.").add(next);
                long height = Math.max(e.blockHeight(), localHeight().orElse(Long.MIN_VALUE));
                f.gauge("gonka_epoch_blocks_until_next_poc", "Next PoC start minus the current height.").add(next - height);
            });
            e.confirmationPoc().ifPresent(c -> {
                f.gauge("gonka_epoch_confirmation_poc_active", "1 while a confirmation PoC runs (is_confirmation_poc_active).")
                        .add(c.active() ? 1 : 0);
                f.stateSet("gonka_epoch_confirmation_poc_phase", "Phase of the confirmation PoC (state set; INACTIVE when none runs).",
                        "phase", CONFIRMATION_PHASES, c.phase());
            });
        });
        fresh(sources.participants).ifPresent((ParticipantsSnapshot ps) -> {
            f.gauge("gonka_network_participants", "Active participants in the current epoch, excluded ones not counted.").add(ps.counted().size());
            f.gauge("gonka_network_weight", "Sum of the active participants' weights, excluded ones not counted.").add(ps.totalWeight());
            FamilyBuilder.Family excluded = f.gauge("gonka_network_participant_excluded",
                    "1 for each participant excluded from the current epoch (excluded_participants), with the chain's reason.");
            for (ParticipantsSnapshot.Excluded x : ps.excluded()) {
                excluded.add(1, "participant", x.address(), "reason", x.reason());
            }
        });
    }

    /** The opt-in network-wide series: thousands of them, so a group of their own that only a participants poll re-renders. */
    private void networkSeries(FamilyBuilder f) {
        if (!config.networkSeries()) {
            return;
        }
        fresh(sources.participants).ifPresent((ParticipantsSnapshot ps) -> {
            FamilyBuilder.Family pw = f.gauge("gonka_network_participant_weight", "Every active participant's weight (opt-in).");
            FamilyBuilder.Family nw = f.gauge("gonka_network_mlnode_poc_weight", "Every ML node's PoC weight per participant and model (opt-in).");
            for (Participant p : ps.participants()) {
                pw.add(p.weight(), "participant", p.address());
                for (Participant.NodeWeight n : p.nodes()) {
                    nw.add(n.pocWeight(), "participant", p.address(), "node_id", n.nodeId(), "model", n.model());
                }
            }
        });
    }

    private void nodeOwnView(FamilyBuilder f) {
        fresh(sources.adminConfig).ifPresent((AdminConfigSnapshot c) -> {
            if (c.currentHeight().isPresent() && c.lastProcessedHeight().isPresent()) {
                f.gauge("gonka_api_block_processing_lag_blocks", "How far the API node's event processing trails the chain.")
                        .add(Math.max(0, c.currentHeight().getAsLong() - c.lastProcessedHeight().getAsLong()));
            }
            c.upgradePlan().ifPresent(p -> f.gauge("gonka_chain_upgrade_plan_height", "Height of a pending chain upgrade.")
                    .add(p.height(), "name", p.name()));
            c.previousSeed().ifPresent(s -> f.gauge("gonka_participant_reward_claimed",
                    "1 once the previous epoch's reward is claimed (admin config previous_seed).")
                    .add(s.claimed() ? 1 : 0, "epoch", Long.toString(s.epochIndex())));
        });
        fresh(sources.setupReport).ifPresent((SetupReport r) -> {
            FamilyBuilder.Family checks = f.gauge("gonka_setup_check_passed", "Setup-report check: 1 PASS, 0 FAIL; absent when UNAVAILABLE.");
            for (SetupReport.Check c : r.checks()) {
                switch (c.status()) {
                    case PASS -> checks.add(1, "check", c.id());
                    case FAIL -> checks.add(0, "check", c.id());
                    default -> { }
                }
            }
        });
    }

    private void participant(FamilyBuilder f) {
        Optional<String> address = watch(sources.identity::address);
        address.ifPresent(a -> f.gauge("gonka_participant_info", "This host's participant address; always 1.").add(1, "participant", a));
        fresh(sources.participants).ifPresent(ps -> address.ifPresent(a -> {
            // An excluded participant's weight is not active weight: it earns nothing for the rest of the epoch.
            double weight = ps.isExcluded(a) ? 0.0 : ps.find(a).map(Participant::weight).orElse(0.0);
            f.gauge("gonka_participant_weight", "This participant's weight in the current epoch; 0 when it is not in the epoch or excluded.").add(weight);
            double total = ps.totalWeight();
            if (total > 0) {
                f.gauge("gonka_participant_weight_ratio", "This participant's weight over the network weight.").add(weight / total);
            }
        }));
        collateral(f, address);
        Optional<ParticipantStats> stats = fresh(sources.participantStats)
                .filter(s -> address.isEmpty() || s.address().equals(address.get()));
        stats.ifPresent(s -> {
            f.gauge("gonka_participant_completed_inferences", "Completed inferences this epoch (inference_count).").add(s.completedInferences());
            f.gauge("gonka_participant_missed_requests", "Missed requests this epoch.").add(s.missedRequests());
            f.gauge("gonka_participant_miss_rate", "missed / (completed + missed); 0 when both are 0.").add(s.missRate());
            f.gauge("gonka_participant_validated_inferences", "Inferences of this participant validated this epoch.").add(s.validatedInferences());
            f.gauge("gonka_participant_invalidated_inferences", "Inferences of this participant invalidated this epoch.").add(s.invalidatedInferences());
            f.gauge("gonka_participant_earned_coins", "Coins earned this epoch.").add(s.earnedCoins());
            f.gauge("gonka_participant_rewarded_coins", "Coins rewarded this epoch (current_epoch_stats.rewarded_coins).").add(s.rewardedCoins());
            f.gauge("gonka_participant_burned_coins", "Coins burned this epoch (current_epoch_stats.burned_coins).").add(s.burnedCoins());
            f.gauge("gonka_participant_coin_balance", "The participant record's coin_balance (ngonka owed to it on the chain).").add(s.coinBalance());
            f.gauge("gonka_participant_epochs_completed", "Epochs this participant has completed (epochs_completed).").add(s.epochsCompleted());
            s.walletBalance().ifPresent(b -> f.gauge("gonka_participant_account_balance",
                    "Account balance in ngonka (/v1/participants/{address} balance).").add(b));
            f.stateSet("gonka_participant_status", "Chain status of this participant (state set).", "status", PARTICIPANT_STATES, s.status());
            missTest(f, s);
        });
    }

    /**
     * Collateral against what the participant's weight needs ({@code AdjustWeightsByCollateral}:
     * weight counts as W x r + min(W x (1 - r), C / u) after the grace period). Required is taken at
     * the epoch weight the participants list shows; whether that is W or the already adjusted
     * weight, "required > collateral" is true exactly when collateral limits the weight (r > 0).
     */
    private void collateral(FamilyBuilder f, Optional<String> address) {
        Optional<io.gonka.exporter.model.Collateral> held = fresh(sources.collateral)
                .filter(c -> address.isEmpty() || c.participant().equals(address.get()));
        if (held.isEmpty()) {
            return;
        }
        double amount = held.get().amount().doubleValue();
        f.gauge("gonka_participant_collateral", "Active collateral of this participant in the chain's base denom (0: none).").add(amount);
        Optional<ChainParams.CollateralParams> cp = fresh(sources.chainParams).flatMap(ChainParams::collateral);
        Optional<Double> weight = fresh(sources.participants).flatMap(ps -> address.flatMap(ps::find)).map(Participant::weight);
        Optional<EpochSnapshot> epoch = fresh(sources.epoch);
        if (cp.isEmpty() || weight.isEmpty()) {
            return;
        }
        double r = cp.get().baseWeightRatio().doubleValue();
        double u = cp.get().collateralPerWeightUnit().doubleValue();
        double required = weight.get() * (1 - r) * u;
        f.gauge("gonka_participant_collateral_required", "Collateral the current epoch weight needs to count in full: weight x (1 - base_weight_ratio) x collateral_per_weight_unit.")
                .add(required);
        f.gauge("gonka_participant_collateral_weight_at_risk",
                "Weight that stops counting because collateral does not back it (AdjustWeightsByCollateral); lost while shortfall is 1, after the grace period.")
                .add(CollateralWeight.weightAtRisk(Math.round(weight.get()), held.get().amount(),
                        cp.get().baseWeightRatio(), cp.get().collateralPerWeightUnit()));
        epoch.ifPresent(e -> f.gauge("gonka_participant_collateral_shortfall",
                "1 when past the collateral grace period the collateral is below what the weight needs: weight (and reward) is cut.")
                .add(e.latestEpochIndex() > cp.get().gracePeriodEndEpoch() && required > amount ? 1 : 0));
    }

    /**
     * The chain's own end-of-epoch test for this participant's misses (rules.MissTest) for the
     * release the node runs, and where the current pace leads by the end of the epoch. Absent when
     * the release or a parameter the rule needs is unknown.
     */
    private void missTest(FamilyBuilder f, ParticipantStats s) {
        Optional<ChainParams> chain = fresh(sources.chainParams);
        Optional<MissRule> rule = chain.flatMap(ChainParams::release).flatMap(ChainRelease::missRule);
        if (rule.isEmpty() || !(s.missedRequests() >= 0) || !(s.completedInferences() >= 0)) {
            return;
        }
        long missed = (long) s.missedRequests();
        long n = (long) s.completedInferences() + missed;
        // Grace epochs and the network-wide miss rate have no query route: the governance part alone
        // (what the chain uses below 1000 requests or 5 participants) - never a lower risk than the chain's.
        MissTest.Params params = new MissTest.Params(chain.get().binomTestP0(), chain.get().downtimeThreshold(), Optional.empty());
        Optional<MissTestVerdict> verdict = MissTest.evaluate(rule.get(), n, missed, params, Optional.empty());
        if (verdict.isEmpty()) {
            return;
        }
        MissTestVerdict v = verdict.get();
        f.gauge("gonka_participant_miss_test_requests", "n of the chain's miss test: completed + missed requests this epoch.").add(v.requests());
        f.gauge("gonka_participant_miss_test_allowed_misses",
                "Most misses at n that still pass the chain's test at the p0 in effect (its critical value).").add(v.allowedMisses());
        f.gauge("gonka_participant_miss_test_failing",
                "1 when missed > allowed: the chain's test fails if the epoch ended now (reward zeroed; v0.2.0/v0.2.1: collateral slashed).")
                .add(v.failing() ? 1 : 0);
        f.gauge("gonka_participant_miss_test_p0", "The p0 the chain applies now, by source (v0.2.0/v0.2.1: the collateral miss threshold).")
                .add(v.p0().doubleValue(), "source", v.source().label());
        OptionalLong height = localHeight();
        Optional<EpochSnapshot> epoch = fresh(sources.epoch);
        if (height.isEmpty() || epoch.isEmpty() || epoch.get().nextPocStart().isEmpty()) {
            return;
        }
        missPace.observe(height.getAsLong(), n, missed);
        long blocksLeft = Math.max(0, epoch.get().nextPocStart().getAsLong() - height.getAsLong());
        missPace.rate().flatMap(rate -> MissPace.project(v, rate, blocksLeft, params)).ifPresent(p -> {
            f.gauge("gonka_participant_miss_test_projected_requests", "n at the end of the epoch at the current pace (last hour).").add(p.requests());
            f.gauge("gonka_participant_miss_test_projected_misses", "Misses at the end of the epoch at the current pace.").add(p.missed());
            f.gauge("gonka_participant_miss_test_projected_allowed_misses", "The chain's critical value at the projected n.").add(p.allowedMisses());
            f.gauge("gonka_participant_miss_test_projected_failing",
                    "1 when the chain's test would fail at the end of the epoch at the current pace: act now.").add(p.failing() ? 1 : 0);
        });
    }

    private void mlNodes(FamilyBuilder f) {
        Optional<AdminNodesSnapshot> snapshot = fresh(sources.adminNodes);
        if (snapshot.isEmpty()) {
            return;
        }
        FamilyBuilder.Family info = f.gauge("gonka_mlnode_info", "Registered ML node; always 1.");
        FamilyBuilder.Family mismatch = f.gauge("gonka_mlnode_status_mismatch", "1 when the current status differs from the intended one.");
        FamilyBuilder.Family enabled = f.gauge("gonka_mlnode_enabled", "Admin state: 1 enabled, 0 disabled.");
        FamilyBuilder.Family weight = f.gauge("gonka_mlnode_poc_weight", "PoC weight of the ML node this epoch, per model (a missing key is 0).");
        FamilyBuilder.Family slot = f.gauge("gonka_mlnode_poc_slot", "1 when the node keeps serving inference during PoC (timeslot_allocation[1]).");
        FamilyBuilder.Family changed = f.gauge("gonka_mlnode_status_timestamp_seconds", "When the ML node's status last changed.");
        FamilyBuilder.Family inFlight = f.gauge("gonka_mlnode_requests_in_flight", "Requests the API node has in flight on the ML node (lock_count).");
        FamilyBuilder.Family maxConcurrent = f.gauge("gonka_mlnode_max_concurrent_requests",
                "The ML node's max_concurrent; the API node sends it nothing more while requests_in_flight is at it.");
        FamilyBuilder.Family failure = f.gauge("gonka_mlnode_failure_info",
                "1 while the API node reports a failure_reason for the ML node; reason is its text up to the first colon.");
        for (MlNode n : snapshot.get().nodes()) {
            info.add(1, "node_id", n.id(), "host", UrlCredentials.redactHost(n.host()), "version", n.version());
            f.stateSet("gonka_mlnode_status", "Current status of the ML node (state set).", "status", NODE_STATES, n.currentStatus().name(), "node_id", n.id());
            f.stateSet("gonka_mlnode_intended_status", "Intended status of the ML node (state set).", "status", NODE_STATES, n.intendedStatus().name(), "node_id", n.id());
            mismatch.add(n.statusMismatch() ? 1 : 0, "node_id", n.id());
            f.stateSet("gonka_mlnode_poc_status", "PoC status of the ML node (state set).", "status", POC_STATES, n.pocStatus().name(), "node_id", n.id());
            enabled.add(n.enabled() ? 1 : 0, "node_id", n.id());
            n.pocWeights().forEach((model, w) -> weight.add(w, "node_id", n.id(), "model", model));
            n.pocSlots().forEach((model, s) -> slot.add(s ? 1 : 0, "node_id", n.id(), "model", model));
            n.statusTimestamp().ifPresent(t -> changed.add(t.toEpochMilli() / 1000.0, "node_id", n.id()));
            inFlight.add(n.lockCount(), "node_id", n.id());
            maxConcurrent.add(n.maxConcurrent(), "node_id", n.id());
            if (!n.failureReason().isBlank()) {
                failure.add(1, "node_id", n.id(), "reason", n.failureKind());
            }
        }
        upgradeReadiness(f, snapshot.get());
    }

    /** While an upgrade plan names an ML-node version: whether each registered node already answers on it. */
    private void upgradeReadiness(FamilyBuilder f, AdminNodesSnapshot registered) {
        fresh(sources.adminConfig).flatMap(AdminConfigSnapshot::upgradePlan)
                .filter(p -> !p.nodeVersion().isBlank())
                .ifPresent(p -> f.gauge("gonka_mlnode_upgrade_target_info",
                        "The ML-node version a scheduled upgrade needs (upgrade_plan.node_version); always 1.")
                        .add(1, "version", p.nodeVersion()));
        fresh(sources.upgradeStatus).filter(u -> u.planActive()).ifPresent(u -> {
            FamilyBuilder.Family ready = f.gauge("gonka_mlnode_upgrade_ready",
                    "1 when the ML node answers on the ML-node version of the scheduled upgrade (nodes/upgrade-status is_alive).");
            for (MlNode n : registered.nodes()) {
                Boolean r = u.ready().get(n.id());
                if (r != null) {
                    ready.add(r ? 1 : 0, "node_id", n.id());
                }
            }
        });
    }

    private void mlNodeHealth(FamilyBuilder f, AdminNodesSnapshot registered) {
        if (sources.mlNodeHealth == null) {
            return;
        }
        Map<String, MlNodeHealth> latest = sources.mlNodeHealth.latest();
        Duration maxAge = sources.mlNodeHealth.maxAge();
        fresh(sources.mlNodeHealth); // the end of a sweep re-renders at once
        watchSettled(sources.mlNodeHealth::changes, 5000);
        watch(() -> registered.nodes().stream().map(n -> isFresh(latest.get(n.id()), maxAge) ? "1" : "0")
                .collect(java.util.stream.Collectors.joining()));
        FamilyBuilder.Family up = f.gauge("gonka_mlnode_up", "1 when the ML node itself answered (/health, or /api/v1/state on ML nodes without /health).");
        FamilyBuilder.Family healthy = f.gauge("gonka_mlnode_healthy", "1 when the ML node reports itself healthy (status \"healthy\").");
        FamilyBuilder.Family util = f.gauge("gonka_mlnode_gpu_utilization_ratio", "GPU utilization reported by the ML node.");
        FamilyBuilder.Family used = f.gauge("gonka_mlnode_gpu_memory_used_bytes", "GPU memory in use reported by the ML node.");
        FamilyBuilder.Family total = f.gauge("gonka_mlnode_gpu_memory_total_bytes", "GPU memory reported by the ML node.");
        FamilyBuilder.Family temp = f.gauge("gonka_mlnode_gpu_temperature_celsius", "GPU temperature reported by the ML node.");
        FamilyBuilder.Family avail = f.gauge("gonka_mlnode_gpu_available", "1 when the ML node reports the GPU available.");
        for (MlNode n : registered.nodes()) {
            MlNodeHealth h = latest.get(n.id());
            if (!isFresh(h, maxAge)) {
                continue;
            }
            up.add(h.answered() ? 1 : 0, "node_id", n.id());
            if (!h.answered()) {
                continue;
            }
            if (h.healthKnown()) {
                healthy.add(h.healthy() ? 1 : 0, "node_id", n.id());
            }
            for (MlNodeHealth.Gpu g : h.gpus()) {
                String gpu = Integer.toString(g.index());
                g.utilizationRatio().ifPresent(v -> util.add(v, "node_id", n.id(), "gpu", gpu));
                g.memoryUsedBytes().ifPresent(v -> used.add(v, "node_id", n.id(), "gpu", gpu));
                g.memoryTotalBytes().ifPresent(v -> total.add(v, "node_id", n.id(), "gpu", gpu));
                g.temperatureCelsius().ifPresent(v -> temp.add(v, "node_id", n.id(), "gpu", gpu));
                avail.add(g.available() ? 1 : 0, "node_id", n.id(), "gpu", gpu);
            }
        }
    }

    private boolean isFresh(MlNodeHealth h, Duration maxAge) {
        return h != null && Duration.between(h.at(), clock.instant()).compareTo(maxAge) <= 0;
    }
}
