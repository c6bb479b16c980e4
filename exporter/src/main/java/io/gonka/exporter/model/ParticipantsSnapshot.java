package io.gonka.exporter.model;

import java.util.List;
import java.util.Optional;

/** {@code /v1/epochs/current/participants}. */
public record ParticipantsSnapshot(long epochId, List<Participant> participants) {

    public double totalWeight() {
        double sum = 0;
        for (Participant p : participants) {
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
