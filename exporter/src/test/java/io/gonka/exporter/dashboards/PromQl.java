package io.gonka.exporter.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small PromQL tokenizer that finds the metric selectors in an expression (Grafana variables allowed), so the
 * dashboards can be checked against the metric contract without a full parser. It skips function and aggregation
 * names, keywords, strings, numbers and durations, range and subquery brackets, label lists after
 * by/without/on/ignoring/group_left/group_right, and Grafana variables ({@code $x}, {@code ${x}}, {@code ${x:fmt}},
 * {@code [[x]]}). What it cannot place (an unknown function, unbalanced brackets, a malformed matcher) is reported
 * as a problem rather than ignored.
 */
public final class PromQl {

    public record LabelMatcher(String label, String op, String value) { }

    /** A vector selector: {@code metric} is null for a selector like {@code {__name__=~"a|b"}}. */
    public record Selector(String metric, List<LabelMatcher> matchers) { }

    public record Inspection(List<Selector> selectors, Set<String> functions, List<String> problems) {
        /** Every metric name the expression reads, including the names a {@code __name__} matcher lists. */
        public Set<String> metricNames() {
            Set<String> out = new LinkedHashSet<>();
            for (Selector s : selectors) {
                if (s.metric() != null) {
                    out.add(s.metric());
                }
                for (LabelMatcher m : s.matchers()) {
                    if (m.label().equals("__name__")) {
                        out.addAll(namesFromNameMatcher(m));
                    }
                }
            }
            return out;
        }
    }

    public static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile");

    /** Functions of Prometheus 2.42 (the version the project tests against). */
    public static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "acos", "acosh", "asin",
            "asinh", "atan", "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos",
            "cosh", "count_over_time", "days_in_month", "day_of_month", "day_of_week", "day_of_year", "deg", "delta",
            "deriv", "exp", "floor", "histogram_count", "histogram_fraction", "histogram_quantile", "histogram_sum",
            "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
            "ln", "log10", "log2", "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear",
            "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn", "sin",
            "sinh", "sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "sum_over_time", "tan",
            "tanh", "time", "timestamp", "vector", "year",
            // only valid after the @ modifier
            "start", "end");

    /** Keywords followed by a parenthesised list of label names. */
    private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    private static final Set<String> OTHER_KEYWORDS = Set.of("bool", "offset", "and", "or", "unless", "atan2", "inf",
            "nan");

    private static final Pattern SIMPLE_NAME_ALTERNATION = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\|[a-zA-Z_:][a-zA-Z0-9_:]*)*");

    private enum T { IDENT, NUMBER, STRING, VAR, PUNCT }

    private record Tok(T type, String text, int pos) { }

    private PromQl() { }

    public static Inspection inspect(String expr) {
        List<String> problems = new ArrayList<>();
        List<Tok> toks = lex(expr, problems);
        List<Selector> selectors = new ArrayList<>();
        Set<String> functions = new LinkedHashSet<>();
        int depthParen = 0;
        for (int i = 0; i < toks.size(); i++) {
            Tok t = toks.get(i);
            switch (t.type()) {
                case IDENT -> {
                    String word = t.text();
                    String lower = word.toLowerCase(Locale.ROOT);
                    boolean callFollows = next(toks, i, "(")
                            || (AGGREGATIONS.contains(word) && i + 1 < toks.size()
                                && toks.get(i + 1).type() == T.IDENT
                                && Set.of("by", "without").contains(toks.get(i + 1).text().toLowerCase(Locale.ROOT)));
                    if (LABEL_LIST_KEYWORDS.contains(lower)) {
                        if (callFollows) {
                            int close = indexOf(toks, i + 1, ")");
                            if (close < 0) {
                                problems.add("unclosed label list after '" + word + "'");
                                return new Inspection(selectors, functions, problems);
                            }
                            for (int k = i + 2; k < close; k++) {
                                Tok lt = toks.get(k);
                                if (!(lt.type() == T.IDENT || lt.text().equals(","))) {
                                    problems.add("unexpected '" + lt.text() + "' in the label list after '" + word + "'");
                                }
                            }
                            i = close;
                        } else if (!lower.startsWith("group_")) {
                            problems.add("'" + word + "' must be followed by a label list");
                        }
                    } else if (OTHER_KEYWORDS.contains(lower)) {
                        // operator or literal; atan2 is a binary operator
                    } else if (callFollows) {
                        if (AGGREGATIONS.contains(word) || FUNCTIONS.contains(word)) {
                            functions.add(word);
                        } else {
                            problems.add("unknown function '" + word + "'");
                        }
                    } else if (next(toks, i, "{") ) {
                        int close = indexOf(toks, i + 1, "}");
                        if (close < 0) {
                            problems.add("unclosed '{' after " + word);
                            return new Inspection(selectors, functions, problems);
                        }
                        selectors.add(new Selector(word, matchers(toks, i + 2, close, problems)));
                        i = close;
                    } else {
                        selectors.add(new Selector(word, List.of()));
                    }
                }
                case PUNCT -> {
                    switch (t.text()) {
                        case "{" -> {
                            int close = indexOf(toks, i, "}");
                            if (close < 0) {
                                problems.add("unclosed '{'");
                                return new Inspection(selectors, functions, problems);
                            }
                            List<LabelMatcher> ms = matchers(toks, i + 1, close, problems);
                            if (ms.stream().noneMatch(m -> m.label().equals("__name__"))) {
                                problems.add("selector without a metric name: " + expr.substring(t.pos(),
                                        Math.min(expr.length(), toks.get(close).pos() + 1)));
                            }
                            for (LabelMatcher m : ms) {
                                if (m.label().equals("__name__") && namesFromNameMatcher(m).isEmpty()) {
                                    problems.add("cannot tell which metrics __name__" + m.op() + "\"" + m.value()
                                            + "\" selects; list names like \"a|b\"");
                                }
                            }
                            selectors.add(new Selector(null, ms));
                            i = close;
                        }
                        case "(" -> depthParen++;
                        case ")" -> {
                            depthParen--;
                            if (depthParen < 0) {
                                problems.add("unbalanced ')' at " + t.pos());
                                depthParen = 0;
                            }
                        }
                        case "}" -> problems.add("unbalanced '}' at " + t.pos());
                        default -> { }
                    }
                }
                default -> { }
            }
        }
        if (depthParen != 0) {
            problems.add("unbalanced parentheses");
        }
        return new Inspection(selectors, functions, problems);
    }

    static Set<String> namesFromNameMatcher(LabelMatcher m) {
        Set<String> out = new LinkedHashSet<>();
        if (m.op().equals("=")) {
            out.add(m.value());
        } else if (m.op().equals("=~") && SIMPLE_NAME_ALTERNATION.matcher(m.value()).matches()) {
            out.addAll(List.of(m.value().split("\\|")));
        }
        return out;
    }

    private static List<LabelMatcher> matchers(List<Tok> toks, int from, int to, List<String> problems) {
        List<LabelMatcher> out = new ArrayList<>();
        int i = from;
        while (i < to) {
            Tok name = toks.get(i);
            Tok op = i + 1 < to ? toks.get(i + 1) : null;
            Tok value = i + 2 < to ? toks.get(i + 2) : null;
            if (name.type() != T.IDENT || op == null || !Set.of("=", "!=", "=~", "!~").contains(op.text())
                    || value == null || value.type() != T.STRING) {
                problems.add("malformed label matcher at '" + name.text() + "'");
                return out;
            }
            out.add(new LabelMatcher(name.text(), op.text(), unquote(value.text())));
            i += 3;
            if (i < to) {
                if (!toks.get(i).text().equals(",")) {
                    problems.add("expected ',' between label matchers, found '" + toks.get(i).text() + "'");
                    return out;
                }
                i++;
            }
        }
        return out;
    }

    private static String unquote(String s) {
        String body = s.substring(1, s.length() - 1);
        if (s.charAt(0) == '`') {
            return body;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                switch (n) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    default -> b.append(n);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean next(List<Tok> toks, int i, String text) {
        return i + 1 < toks.size() && toks.get(i + 1).type() == T.PUNCT && toks.get(i + 1).text().equals(text);
    }

    private static int indexOf(List<Tok> toks, int from, String text) {
        for (int k = from; k < toks.size(); k++) {
            if (toks.get(k).type() == T.PUNCT && toks.get(k).text().equals(text)) {
                return k;
            }
        }
        return -1;
    }

    private static List<Tok> lex(String s, List<String> problems) {
        List<Tok> out = new ArrayList<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                int start = i++;
                while (i < n && s.charAt(i) != c) {
                    if (s.charAt(i) == '\\' && c != '`') {
                        i++;
                    }
                    i++;
                }
                if (i >= n) {
                    problems.add("unterminated string at " + start);
                    return out;
                }
                i++;
                out.add(new Tok(T.STRING, s.substring(start, i), start));
            } else if (c == '$') {
                int start = i++;
                if (i < n && s.charAt(i) == '{') {
                    int close = s.indexOf('}', i);
                    if (close < 0) {
                        problems.add("unterminated ${ at " + start);
                        return out;
                    }
                    i = close + 1;
                } else {
                    while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                        i++;
                    }
                    if (i == start + 1) {
                        problems.add("stray '$' at " + start);
                    }
                }
                out.add(new Tok(T.VAR, s.substring(start, i), start));
            } else if (c == '[') {
                // a range or subquery, or a [[var]]: skip to the matching bracket
                int start = i;
                int depth = 0;
                do {
                    char d = s.charAt(i);
                    if (d == '[') {
                        depth++;
                    } else if (d == ']') {
                        depth--;
                    }
                    i++;
                } while (i < n && depth > 0);
                if (depth != 0) {
                    problems.add("unclosed '[' at " + start);
                    return out;
                }
                String body = s.substring(start, i);
                if (body.startsWith("[[")) {
                    out.add(new Tok(T.VAR, body, start));
                } else if (!body.matches("\\[\\s*[^\\[\\]]+\\s*]")) {
                    problems.add("malformed range " + body);
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == ':')) {
                    i++;
                }
                out.add(new Tok(T.IDENT, s.substring(start, i), start));
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                int start = i;
                while (i < n) {
                    char d = s.charAt(i);
                    if (Character.isLetterOrDigit(d) || d == '.' || d == '_') {
                        i++;
                    } else if ((d == '+' || d == '-') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')
                            && !s.substring(start, i).startsWith("0x")) {
                        i++;
                    } else {
                        break;
                    }
                }
                out.add(new Tok(T.NUMBER, s.substring(start, i), start));
            } else {
                String two = i + 1 < n ? s.substring(i, i + 2) : "";
                if (Set.of("==", "!=", ">=", "<=", "=~", "!~").contains(two)) {
                    out.add(new Tok(T.PUNCT, two, i));
                    i += 2;
                } else if ("(){},+-*/%^<>=@".indexOf(c) >= 0) {
                    out.add(new Tok(T.PUNCT, String.valueOf(c), i));
                    i++;
                } else {
                    problems.add("unexpected character '" + c + "' at " + i);
                    i++;
                }
            }
        }
        return out;
    }
}
