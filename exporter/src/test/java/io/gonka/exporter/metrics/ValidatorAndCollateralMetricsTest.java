package io.gonka.exporter.metrics;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.support.Harness;
import io.gonka.exporter.support.MetricSamples;
import io.gonka.exporter.support.Promtool;
import io.gonka.exporter.support.TestConfig;
import io.gonka.simulator.SimulatedGonkaNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The slashing module's verdict on the validator and the collateral's weight at risk, as scraped from the simulated node. */
class ValidatorAndCollateralMetricsTest {

    @Test
    void jailedValidatorAndWeightAtRisk() throws Exception {
        try (SimulatedGonkaNode sim = SimulatedGonkaNode.standard().start()) {
            // weight 58351, r 0.2, u 4.2: 100000 ngonka backs 23809.52 of the 46680.8 eligible -> 22872 lost
            sim.state().setCollateral(100_000L);
            try (Harness h = new Harness(TestConfig.allAt(sim.baseUrl()))) {
                MetricSamples free = h.pollTwice().scrape();
                assertEquals(0, free.value("gonka_chain_validator_jailed"));
                assertEquals(0, free.value("gonka_chain_validator_tombstoned"));
                assertFalse(free.has("gonka_chain_validator_jailed_until_timestamp_seconds"), "exists only while jailed");
                assertEquals(22872, free.value("gonka_participant_collateral_weight_at_risk"));
                assertEquals(1, free.value("gonka_participant_collateral_shortfall"));

                // jailed for 600 s from the latest block: a new poll of validator_liveness asks again (the miss count rises)
                Instant until = sim.state().latestBlockTime().plusSeconds(600);
                sim.state().setValidatorSigning(false);
                sim.state().setValidatorJailedUntil(until);
                sim.state().setCollateral(200_000L);
                sim.state().advanceBlocks(2);
                h.clock.advance(java.time.Duration.ofSeconds(61));
                MetricSamples jailed = h.pollTwice().scrape();
                assertEquals(1, jailed.value("gonka_chain_validator_jailed"));
                assertEquals(until.toEpochMilli() / 1000.0, jailed.value("gonka_chain_validator_jailed_until_timestamp_seconds"), 1e-3);
                assertEquals(50, jailed.value("gonka_chain_validator_signing_info_missed_blocks"));
                assertEquals(0, jailed.value("gonka_participant_collateral_weight_at_risk"), "200000 backs all 46680.8 eligible weight");
                Promtool.checkMetrics(jailed.text());
            }
        }
    }
}
