package io.gonka.exporter.deploy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A JVM option list (JAVA_TOOL_OPTIONS or a command line) and the values of a few sizing flags. */
record JvmFlags(List<String> flags) {
    static JvmFlags parse(String options) {
        String s = options.strip();
        return new JvmFlags(s.isEmpty() ? List.of() : Arrays.asList(s.split("\\s+")));
    }

    /** The image's flags, from JAVA_TOOL_OPTIONS in the Dockerfile's final stage. */
    static JvmFlags ofImage() {
        String opts = DockerfileModel.load().finalStage().env().get("JAVA_TOOL_OPTIONS");
        if (opts == null) {
            throw new AssertionError("the Dockerfile's final stage sets no JAVA_TOOL_OPTIONS");
        }
        return parse(opts);
    }

    boolean has(String flag) {
        return flags.contains(flag);
    }

    /** The value of -Dname=value. */
    Optional<String> property(String name) {
        String prefix = "-D" + name + "=";
        return flags.stream().filter(f -> f.startsWith(prefix)).map(f -> f.substring(prefix.length())).reduce((a, b) -> b);
    }

    /** The value of a prefix-style flag such as -Xmx or -XX:MaxMetaspaceSize=, in bytes. */
    Optional<Long> size(String prefix) {
        return flags.stream().filter(f -> f.startsWith(prefix)).map(f -> bytes(f.substring(prefix.length()))).reduce((a, b) -> b);
    }

    long requiredSize(String prefix) {
        return size(prefix).orElseThrow(() -> new AssertionError("no " + prefix + " in " + flags));
    }

    static long bytes(String v) {
        String s = v.strip().toLowerCase(java.util.Locale.ROOT);
        long mult = switch (s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        String digits = mult == 1 ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits) * mult;
    }

    /**
     * Whether the heap holds an upstream answer of {@code maxBodyBytes}: the body is in memory
     * twice while it is parsed, plus the parsed tree. Measured with the exporter: -Xmx96m ran out
     * of memory on a 26 MiB answer and held a 15 MiB one polled every second, hence 6 times.
     */
    boolean heapHoldsBody(long maxBodyBytes) {
        return 6 * maxBodyBytes <= requiredSize("-Xmx");
    }

    /**
     * The JVM's hard caps on its large memory pools: heap, metaspace, code cache and direct memory.
     * A memory limit below their sum can kill a JVM that is within its own limits.
     */
    long cappedPoolsBytes() {
        return requiredSize("-Xmx") + requiredSize("-XX:MaxMetaspaceSize=") + requiredSize("-XX:ReservedCodeCacheSize=")
                + requiredSize("-XX:MaxDirectMemorySize=");
    }
}
