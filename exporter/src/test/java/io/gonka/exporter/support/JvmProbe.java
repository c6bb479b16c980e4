package io.gonka.exporter.support;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap and memory of another JVM process, read with jcmd and /proc. */
public final class JvmProbe {
    private static final Pattern USED = Pattern.compile("(?:generation|space|region)[^\\n]*?used (\\d+)K");

    private JvmProbe() {}

    public static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jcmd " + command + " did not finish");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Heap in use right after a full GC, in MiB. */
    public static double heapAfterGcMiB(long pid) throws Exception {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        long kb = 0;
        boolean any = false;
        for (String line : info.split("\n")) {
            if (line.contains("Metaspace") || line.contains("class space")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                kb += Long.parseLong(m.group(1));
                any = true;
            }
        }
        if (!any) {
            throw new AssertionError("cannot read the heap from:\n" + info);
        }
        return kb / 1024.0;
    }

    /** Resident memory (VmRSS) in MiB. */
    public static double rssMiB(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0;
            }
        }
        throw new AssertionError("no VmRSS for " + pid);
    }
}
