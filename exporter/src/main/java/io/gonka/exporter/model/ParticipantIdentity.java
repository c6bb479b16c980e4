package io.gonka.exporter.model;

import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whose node this is. In order: the configured address; the setup report's cold key address; the
 * participant of the current epoch whose {@code inference_url} is the node's {@code public_url}.
 * The answer is logged once per change, with how it was found.
 */
public final class ParticipantIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantIdentity.class);

    public enum Origin { CONFIGURED, SETUP_REPORT, PUBLIC_URL, CONSENSUS_KEY }

    public record Resolved(String address, Origin origin) {}

    private final String configured;
    private final Supplier<Optional<SetupReport>> setupReport;
    private final Supplier<Optional<AdminConfigSnapshot>> adminConfig;
    private final Supplier<Optional<ParticipantsSnapshot>> participants;
    private final Supplier<Optional<ChainStatus>> chainStatus;
    private volatile Resolved last;

    public ParticipantIdentity(String configured,
                               Supplier<Optional<SetupReport>> setupReport,
                               Supplier<Optional<AdminConfigSnapshot>> adminConfig,
                               Supplier<Optional<ParticipantsSnapshot>> participants) {
        this(configured, setupReport, adminConfig, participants, Optional::empty);
    }

    /** @param chainStatus the local CometBFT node's status: its consensus key names its participant (release v0.2.0) */
    public ParticipantIdentity(String configured,
                               Supplier<Optional<SetupReport>> setupReport,
                               Supplier<Optional<AdminConfigSnapshot>> adminConfig,
                               Supplier<Optional<ParticipantsSnapshot>> participants,
                               Supplier<Optional<ChainStatus>> chainStatus) {
        this.chainStatus = chainStatus;
        this.configured = configured == null ? "" : configured.trim();
        this.setupReport = setupReport;
        this.adminConfig = adminConfig;
        this.participants = participants;
        if (!this.configured.isEmpty()) {
            remember(new Resolved(this.configured, Origin.CONFIGURED));
        }
    }

    public Optional<Resolved> resolve() {
        if (!configured.isEmpty()) {
            return Optional.of(last);
        }
        Optional<Resolved> found = setupReport.get().flatMap(SetupReport::coldKeyAddress)
                .map(a -> new Resolved(a, Origin.SETUP_REPORT));
        if (found.isEmpty()) {
            found = adminConfig.get().flatMap(AdminConfigSnapshot::publicUrl).flatMap(url ->
                    participants.get().flatMap(ps -> ps.participants().stream()
                            .filter(p -> sameUrl(p.inferenceUrl(), url))
                            .findFirst()
                            .map(p -> new Resolved(p.address(), Origin.PUBLIC_URL))));
        }
        if (found.isEmpty()) {
            // v0.2.0 has neither the setup report nor the config: the chain node's consensus key is the
            // participant's validator_key in the epoch's participant list.
            found = chainStatus.get().flatMap(ChainStatus::validatorPubKey).flatMap(key ->
                    participants.get().flatMap(ps -> ps.participants().stream()
                            .filter(p -> key.equals(p.validatorKey()))
                            .findFirst()
                            .map(p -> new Resolved(p.address(), Origin.CONSENSUS_KEY))));
        }
        if (found.isEmpty()) {
            // Keep the last answer: the sources it came from may be briefly down.
            return Optional.ofNullable(last);
        }
        remember(found.get());
        return found;
    }

    public Optional<String> address() {
        return resolve().map(Resolved::address);
    }

    private void remember(Resolved r) {
        Resolved prev = last;
        if (prev == null || !prev.equals(r)) {
            last = r;
            LOG.info("participant address {} ({})", r.address(), switch (r.origin()) {
                case CONFIGURED -> "configured";
                case SETUP_REPORT -> "detected from the setup report's cold key";
                case PUBLIC_URL -> "detected: the participant whose inference_url is the node's public_url";
                case CONSENSUS_KEY -> "detected: the participant whose validator_key is the chain node's consensus key";
            });
        }
    }

    static boolean sameUrl(String a, String b) {
        return trim(a).equalsIgnoreCase(trim(b)) && !trim(a).isEmpty();
    }

    private static String trim(String s) {
        String t = s == null ? "" : s.trim();
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t;
    }
}
