package io.gonka.exporter.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough of Docker's Dockerfile syntax to read back what the image promises: instructions
 * with line continuations and comments, build stages, ENV (key=value with quotes), and the JSON
 * (exec) form of ENTRYPOINT, CMD and HEALTHCHECK CMD.
 */
public final class DockerfileModel {
    public record Instruction(String keyword, String args, int line) {}

    public record Stage(String from, String name, List<Instruction> instructions) {
        public List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        public Instruction last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? null : found.get(found.size() - 1);
        }

        /** ENV of this stage in order; later keys win, as in Docker. */
        public Map<String, String> env() {
            Map<String, String> env = new LinkedHashMap<>();
            for (Instruction i : all("ENV")) {
                env.putAll(parseEnv(i.args()));
            }
            return env;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    final List<Stage> stages = new ArrayList<>();

    public DockerfileModel(String text) {
        List<Instruction> current = null;
        StringBuilder pending = null;
        int startLine = 0;
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String trimmed = line.strip();
            if (trimmed.startsWith("#")) {
                continue; // comments (also inside a continued instruction, as Docker does)
            }
            if (pending == null) {
                if (trimmed.isEmpty()) {
                    continue;
                }
                pending = new StringBuilder();
                startLine = n + 1;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            pending.append(trimmed);
            String full = pending.toString().strip();
            pending = null;
            int sp = full.indexOf(' ');
            String keyword = (sp < 0 ? full : full.substring(0, sp)).toUpperCase(Locale.ROOT);
            String args = sp < 0 ? "" : full.substring(sp + 1).strip();
            Instruction ins = new Instruction(keyword, args, startLine);
            if (keyword.equals("FROM")) {
                String[] w = args.split("\\s+");
                List<String> words = new ArrayList<>(List.of(w));
                words.removeIf(x -> x.startsWith("--"));
                String from = words.get(0);
                String name = words.size() >= 3 && words.get(1).equalsIgnoreCase("AS") ? words.get(2) : null;
                current = new ArrayList<>();
                stages.add(new Stage(from, name, current));
            }
            if (current == null) {
                if (!keyword.equals("ARG")) {
                    throw new IllegalArgumentException("line " + startLine + ": " + keyword + " before the first FROM");
                }
                continue;
            }
            current.add(ins);
        }
        if (pending != null) {
            throw new IllegalArgumentException("line " + startLine + ": continuation runs past the end of the file");
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException("no FROM");
        }
    }

    public Stage finalStage() {
        return stages.get(stages.size() - 1);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no build stage named " + name));
    }

    /** The exec (JSON array) form; anything else fails, since the shell form would need /bin/sh -c semantics. */
    public static List<String> execForm(String args) {
        try {
            String[] a = JSON.readValue(args, String[].class);
            return List.of(a);
        } catch (Exception e) {
            throw new AssertionError("not the JSON exec form: " + args, e);
        }
    }

    /** HEALTHCHECK [--options] CMD ...: the options and the command. */
    record HealthCheck(Map<String, String> options, List<String> command) {}

    static HealthCheck healthCheck(String args) {
        Map<String, String> options = new LinkedHashMap<>();
        String rest = args.strip();
        while (rest.startsWith("--")) {
            int sp = rest.indexOf(' ');
            String opt = rest.substring(2, sp);
            String[] kv = opt.split("=", 2);
            options.put(kv[0], kv.length > 1 ? kv[1] : "");
            rest = rest.substring(sp + 1).strip();
        }
        if (!rest.startsWith("CMD ")) {
            throw new AssertionError("HEALTHCHECK without CMD: " + args);
        }
        return new HealthCheck(options, execForm(rest.substring(4).strip()));
    }

    /** ENV key=value ... (double or single quotes, backslash escapes) or the legacy ENV key value. */
    static Map<String, String> parseEnv(String args) {
        Map<String, String> env = new LinkedHashMap<>();
        List<String> words = words(args);
        if (!words.isEmpty() && !words.get(0).contains("=")) {
            int sp = args.indexOf(' ');
            env.put(args.substring(0, sp), args.substring(sp + 1).strip());
            return env;
        }
        for (String w : words) {
            int eq = w.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("ENV word without key=: " + w);
            }
            env.put(w.substring(0, eq), w.substring(eq + 1));
        }
        return env;
    }

    /** Splits on unquoted whitespace and removes the quoting. */
    public static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    w.append(s.charAt(++i));
                } else {
                    w.append(c);
                }
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '\\' && i + 1 < s.length()) {
                w.append(s.charAt(++i));
            } else {
                w.append(c);
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated quote in: " + s);
        }
        if (inWord) {
            out.add(w.toString());
        }
        return out;
    }

    static DockerfileModel load() {
        return new DockerfileModel(Repo.read("deploy/docker/Dockerfile"));
    }
}
