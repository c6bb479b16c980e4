package io.gonka.exporter.model;

/** Epoch phases as {@code /v1/epochs/latest} names them. */
public enum EpochPhase {
    PoCGenerate, PoCGenerateWindDown, PoCValidate, PoCValidateWindDown, Inference, UNKNOWN;

    public static EpochPhase parse(String s) {
        for (EpochPhase p : values()) {
            if (p != UNKNOWN && p.name().equals(s)) {
                return p;
            }
        }
        return UNKNOWN;
    }
}
