package io.gonka.simulator;

/**
 * {@code params.epoch_params}, all in blocks. Defaults are the values in the fixture payloads
 * (mainnet early 2026, SCHEMAS §8.4).
 */
public record SimEpochParams(
        long epochLength,
        long epochMultiplier,
        long epochShift,
        long defaultUnitOfComputePrice,
        long pocStageDuration,
        long pocExchangeDuration,
        long pocValidationDelay,
        long pocValidationDuration,
        long setNewValidatorsDelay,
        long inferenceValidationCutoff,
        long inferencePruningEpochThreshold,
        long inferencePruningMax,
        long pocPruningMax,
        long pocSlotAllocationValue,
        int pocSlotAllocationExponent,
        long confirmationPocSafetyWindow) {

    public static SimEpochParams mainnet2026() {
        return new SimEpochParams(15391, 1, 16980, 100, 60, 5, 5, 480, 120, 2, 2, 5000, 1000, 1, -1, 0);
    }

    /** Small values for tests that walk through a whole epoch block by block. */
    public static SimEpochParams tiny() {
        return new SimEpochParams(40, 1, 0, 100, 10, 2, 2, 6, 1, 0, 2, 0, 0, 5, -1, 0);
    }

    public SimEpochParams withEpochLength(long length) {
        return new SimEpochParams(length, epochMultiplier, epochShift, defaultUnitOfComputePrice,
                pocStageDuration, pocExchangeDuration, pocValidationDelay, pocValidationDuration,
                setNewValidatorsDelay, inferenceValidationCutoff, inferencePruningEpochThreshold,
                inferencePruningMax, pocPruningMax, pocSlotAllocationValue, pocSlotAllocationExponent,
                confirmationPocSafetyWindow);
    }
}
