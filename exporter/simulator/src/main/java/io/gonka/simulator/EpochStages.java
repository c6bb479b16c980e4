package io.gonka.simulator;

/**
 * Block heights of one epoch's stages, computed exactly as the chain does
 * ({@code types/epoch_params.go}, SCHEMAS §8.4).
 */
public record EpochStages(
        long epochIndex,
        long pocStart,
        long pocGenerationWindDown,
        long pocGenerationEnd,
        long pocValidationStart,
        long pocValidationWindDown,
        long pocValidationEnd,
        long setNewValidators,
        long claimMoney,
        long inferenceValidationCutoff,
        long nextPocStart,
        long pocExchangeWindowStart,
        long pocExchangeWindowEnd,
        long pocValidationExchangeWindowStart,
        long pocValidationExchangeWindowEnd) {

    public static final String PHASE_POC_GENERATE = "PoCGenerate";
    public static final String PHASE_POC_GENERATE_WIND_DOWN = "PoCGenerateWindDown";
    public static final String PHASE_POC_VALIDATE = "PoCValidate";
    public static final String PHASE_POC_VALIDATE_WIND_DOWN = "PoCValidateWindDown";
    public static final String PHASE_INFERENCE = "Inference";

    public static EpochStages compute(long epochIndex, long pocStart, SimEpochParams p) {
        if (epochIndex == 0) {
            // Epoch 0 has no PoC: every stage is 0 and the first PoC is epoch_length - epoch_shift,
            // which can be negative (edge/public-epochs-latest.epoch0.json).
            long next = p.epochLength() - p.epochShift();
            return new EpochStages(0, 0, 0, 0, 0, 0, 0, 0, 0, next - p.inferenceValidationCutoff(), next, 0, 0, 0, 0);
        }
        long windDown = pocStart + (long) Math.floor(0.8 * p.pocStageDuration());
        long genEnd = pocStart + p.pocStageDuration();
        long valStart = genEnd + p.pocValidationDelay();
        long valWindDown = valStart + (long) Math.floor(0.8 * p.pocValidationDuration());
        long valEnd = valStart + p.pocValidationDuration();
        long setNewValidators = valEnd + p.setNewValidatorsDelay();
        long next = pocStart + p.epochLength();
        return new EpochStages(epochIndex, pocStart, windDown, genEnd, valStart, valWindDown, valEnd,
                setNewValidators, setNewValidators + 1, next - p.inferenceValidationCutoff(), next,
                pocStart + 1, genEnd + p.pocExchangeDuration(), valStart + 1, valEnd);
    }

    public EpochStages next(SimEpochParams p) {
        return compute(epochIndex + 1, nextPocStart, p);
    }

    /** The dapi phase name at {@code height} for this (latest) epoch. */
    public String phaseAt(long height) {
        if (epochIndex == 0) {
            return PHASE_INFERENCE;
        }
        if (height >= pocStart && height < pocGenerationWindDown) {
            return PHASE_POC_GENERATE;
        }
        if (height >= pocGenerationWindDown && height < pocValidationStart) {
            return PHASE_POC_GENERATE_WIND_DOWN;
        }
        if (height >= pocValidationStart && height < pocValidationWindDown) {
            return PHASE_POC_VALIDATE;
        }
        if (height >= pocValidationWindDown && height < pocValidationEnd) {
            return PHASE_POC_VALIDATE_WIND_DOWN;
        }
        return PHASE_INFERENCE;
    }
}
