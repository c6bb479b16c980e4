package io.gonka.simulator;

/**
 * A fault plus its parameters.
 *
 * @param fault          what to do
 * @param delayMillis    delay for {@link Fault#SLOW}; maximum hang for {@link Fault#HANG}
 * @param hugeMegabytes  body size for {@link Fault#HUGE}
 */
public record FaultSpec(Fault fault, long delayMillis, int hugeMegabytes) {

    public static final long DEFAULT_SLOW_MILLIS = 2_000;
    /** A hang is bounded so a forgotten fault cannot pin a thread forever. */
    public static final long DEFAULT_MAX_HANG_MILLIS = 600_000;
    public static final int DEFAULT_HUGE_MB = 200;

    public static final FaultSpec NONE = of(Fault.OK);

    public FaultSpec {
        if (fault == null) {
            throw new IllegalArgumentException("fault is required");
        }
        if (delayMillis < 0 || hugeMegabytes < 0) {
            throw new IllegalArgumentException("negative fault parameter");
        }
    }

    public static FaultSpec of(Fault fault) {
        long delay = fault == Fault.HANG ? DEFAULT_MAX_HANG_MILLIS : DEFAULT_SLOW_MILLIS;
        return new FaultSpec(fault, delay, DEFAULT_HUGE_MB);
    }

    public static FaultSpec slow(long delayMillis) {
        return new FaultSpec(Fault.SLOW, delayMillis, DEFAULT_HUGE_MB);
    }

    public static FaultSpec huge(int megabytes) {
        return new FaultSpec(Fault.HUGE, DEFAULT_SLOW_MILLIS, megabytes);
    }
}
