package io.gonka.exporter.checks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small PromQL scanner that finds the metric names a rule expression selects and the label
 * names used in each selector's matchers. It understands strings, label matchers, range and
 * subquery brackets, function calls, and the label lists of by/without/on/ignoring/group_*.
 */
final class PromQl {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on",
            "ignoring", "group_left", "group_right", "bool", "offset", "inf", "nan", "start", "end", "atan2");
    private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring",
            "group_left", "group_right");

    private enum Kind { IDENT, STRING, NUMBER, PUNCT }

    private record Token(Kind kind, String text) {
    }

    private PromQl() {
    }

    /** Metric name -> label names used in its matchers (empty set when it has none). */
    static Map<String, Set<String>> selectors(String expr) {
        List<Token> tokens = lex(expr);
        Map<String, Set<String>> result = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token t = tokens.get(i);
            if (t.kind == Kind.PUNCT && t.text.equals("[")) {
                i = skipTo(tokens, i, "]");
                continue;
            }
            if (t.kind != Kind.IDENT) {
                continue;
            }
            Token next = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
            boolean nextIsParen = next != null && next.kind == Kind.PUNCT && next.text.equals("(");
            if (LABEL_LIST_KEYWORDS.contains(t.text)) {
                if (nextIsParen) {
                    i = skipTo(tokens, i + 1, ")");
                }
                continue;
            }
            boolean nextIsGrouping = next != null && next.kind == Kind.IDENT
                    && (next.text.equals("by") || next.text.equals("without"));
            if (KEYWORDS.contains(t.text) || nextIsParen || nextIsGrouping) {
                continue; // operator keyword, or a function / aggregation call ("sum by (...) (...)")
            }
            Set<String> labels = result.computeIfAbsent(t.text, k -> new LinkedHashSet<>());
            if (next != null && next.kind == Kind.PUNCT && next.text.equals("{")) {
                int j = i + 2;
                while (j < tokens.size() && !tokens.get(j).text.equals("}")) {
                    Token m = tokens.get(j);
                    if (m.kind == Kind.IDENT) {
                        labels.add(m.text);
                    }
                    j++;
                }
                i = j;
            }
        }
        return result;
    }

    private static int skipTo(List<Token> tokens, int from, String closing) {
        int j = from;
        while (j < tokens.size() && !(tokens.get(j).kind == Kind.PUNCT && tokens.get(j).text.equals(closing))) {
            j++;
        }
        return j;
    }

    private static List<Token> lex(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    j += (s.charAt(j) == '\\' && c != '`') ? 2 : 1;
                }
                out.add(new Token(Kind.STRING, s.substring(i, Math.min(j + 1, s.length()))));
                i = j + 1;
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_'
                        || s.charAt(j) == ':')) {
                    j++;
                }
                out.add(new Token(Kind.IDENT, s.substring(i, j)));
                i = j;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                    j++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(i, j)));
                i = j;
            } else {
                out.add(new Token(Kind.PUNCT, String.valueOf(c)));
                i++;
            }
        }
        return out;
    }
}
