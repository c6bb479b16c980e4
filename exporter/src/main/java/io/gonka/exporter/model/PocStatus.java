package io.gonka.exporter.model;

import java.util.Locale;

/** The broker's PoC status of an ML node; "", "MIXED" or anything else is {@link #UNKNOWN}. */
public enum PocStatus {
    IDLE, GENERATING, VALIDATING, UNKNOWN;

    public static PocStatus parse(String s) {
        if (s == null || s.isBlank()) {
            return UNKNOWN;
        }
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
