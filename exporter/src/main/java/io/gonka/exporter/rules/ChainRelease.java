package io.gonka.exporter.rules;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chain release a node runs, as its binary reports it ({@code /abci_info} version, e.g.
 * {@code v0.2.10-post7}). Builds made by hand may report a commit hash: that is no release.
 */
public record ChainRelease(int major, int minor, int patch) implements Comparable<ChainRelease> {
    private static final Pattern VERSION = Pattern.compile("^v?(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})(?:[-+.].*)?$");

    public static Optional<ChainRelease> parse(String version) {
        if (version == null) {
            return Optional.empty();
        }
        Matcher m = VERSION.matcher(version.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ChainRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
    }

    public static ChainRelease of(String version) {
        return parse(version).orElseThrow(() -> new IllegalArgumentException("not a release: " + version));
    }

    /** The miss rule of this release (see {@link MissRule}); empty before v0.2.0. */
    public Optional<MissRule> missRule() {
        if (compareTo(new ChainRelease(0, 2, 0)) < 0) {
            return Optional.empty();
        }
        if (compareTo(new ChainRelease(0, 2, 2)) < 0) {
            return Optional.of(MissRule.COLLATERAL_THRESHOLD);
        }
        if (compareTo(new ChainRelease(0, 2, 6)) < 0) {
            return Optional.of(MissRule.LEGACY_TABLE);
        }
        if (compareTo(new ChainRelease(0, 2, 10)) < 0) {
            return Optional.of(MissRule.GOVERNANCE_TABLES);
        }
        return Optional.of(MissRule.DYNAMIC_P0);
    }

    @Override
    public int compareTo(ChainRelease o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return "v" + major + "." + minor + "." + patch;
    }
}
