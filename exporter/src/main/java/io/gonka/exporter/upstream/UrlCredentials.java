package io.gonka.exporter.upstream;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream URL written as {@code http://user:pass@host/...}: the request goes to the URL without
 * its user info, with the user info as a Basic {@code Authorization} header, and wherever the URL is
 * printed or exported the user info is replaced by {@code ***}.
 */
public record UrlCredentials(String url, String authorization, String redacted) {
    /** scheme://userinfo@ — the user info ends at the last '@' before the path. */
    private static final Pattern USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@");
    /** A bare host with user info, as an ML node may be registered: user:pass@host. */
    private static final Pattern BARE_USERINFO = Pattern.compile("^([^/?#:@]+(?::[^/?#@]*)?)@(?=[^/?#@])");
    /** Any user info in a longer text (an error message quoting a URL). */
    private static final Pattern IN_TEXT = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#\\s\"'@]*@");

    public static UrlCredentials of(String url) {
        Matcher m = USERINFO.matcher(url);
        if (!m.find()) {
            return new UrlCredentials(url, null, url);
        }
        String info = m.group(2);
        String bare = m.group(1) + url.substring(m.end());
        int colon = info.indexOf(':');
        String user = decode(colon < 0 ? info : info.substring(0, colon));
        String pass = colon < 0 ? "" : decode(info.substring(colon + 1));
        String header = "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
        return new UrlCredentials(bare, header, m.group(1) + "***@" + url.substring(m.end()));
    }

    /** {@code text} with the user info of every URL in it replaced by {@code ***}. */
    public static String redact(String text) {
        if (text == null || text.indexOf('@') < 0) {
            return text;
        }
        return IN_TEXT.matcher(text).replaceAll("$1***@");
    }

    /** A host as the admin API registers it (bare or as a URL) without user info. */
    public static String redactHost(String host) {
        if (host == null || host.indexOf('@') < 0) {
            return host;
        }
        String r = redact(host);
        return r.equals(host) ? BARE_USERINFO.matcher(host).replaceFirst("***@") : r;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
