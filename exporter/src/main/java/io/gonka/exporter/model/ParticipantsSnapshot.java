package io.gonka.exporter.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code /v1/epochs/current/participants}: the epoch's active participants and (newest releases) the
 * ones excluded from it since, e.g. for a failed confirmation PoC. An excluded participant stays in
 * {@code active_participants} but no longer counts: its weight is not active weight.
 */
public record ParticipantsSnapshot(long epochId, List<Participant> participants, List<Excluded> excluded) {

    public record Excluded(String address, String reason) {}

    public ParticipantsSnapshot(long epochId, List<Participant> participants) {
        this(epochId, participants, List.of());
    }

    private Map<String, String> excludedByAddress() {
        return excluded.stream().collect(Collectors.toMap(Excluded::address, Excluded::reason, (a, b) -> a));
    }

    public boolean isExcluded(String address) {
        for (Excluded e : excluded) {
            if (e.address().equals(address)) {
                return true;
            }
        }
        return false;
    }

    /** Participants that still count: active and not excluded. */
    public List<Participant> counted() {
        if (excluded.isEmpty()) {
            return participants;
        }
        Map<String, String> out = excludedByAddress();
        return participants.stream().filter(p -> !out.containsKey(p.address())).toList();
    }

    /** Sum of the weights that count (excluded participants' weight is not active weight). */
    public double totalWeight() {
        double sum = 0;
        for (Participant p : counted()) {
            sum += p.weight();
        }
        return sum;
    }

    public Optional<Participant> find(String address) {
        for (Participant p : participants) {
            if (p.address().equals(address)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
