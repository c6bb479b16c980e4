package io.gonka.exporter.model;

import java.util.Locale;

/** {@code HardwareNodeStatus} of the admin API; anything else (e.g. "6") is {@link #UNKNOWN}. */
public enum MlNodeStatus {
    UNKNOWN, INFERENCE, POC, TRAINING, STOPPED, FAILED;

    public static MlNodeStatus parse(String s) {
        if (s == null) {
            return UNKNOWN;
        }
        String t = s.trim();
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() < 3) {
            int n = Integer.parseInt(t); // gogoproto prints an enum number only when it has no name
            return n < values().length ? values()[n] : UNKNOWN;
        }
        try {
            return valueOf(t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }

    public static boolean known(String s) {
        return s != null && parse(s).name().equals(s.trim().toUpperCase(Locale.ROOT));
    }
}
