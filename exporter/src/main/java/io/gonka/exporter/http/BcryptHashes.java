package io.gonka.exporter.http;

import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@code basic_auth_users} hash must look like before the server starts: a broken hash would
 * otherwise fail on every request (an error per scrape, everyone locked out) and a huge cost would
 * let each login attempt pin a core for minutes.
 */
public final class BcryptHashes {
    /** $2a$, $2b$ or $2y$, two cost digits, 22 salt and 31 hash characters of bcrypt's base64. */
    private static final Pattern FORMAT = Pattern.compile("^\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}$");
    static final int MIN_COST = 4;
    static final int MAX_COST = 31;
    /** htpasswd -B and the exporter-toolkit docs use 10-12; above this a login takes a noticeable while. */
    public static final int SANE_COST = 12;

    private BcryptHashes() {}

    /** The problem with this hash, or null when it is a usable bcrypt hash. Never quotes the hash. */
    public static String problem(String hash) {
        Matcher m = FORMAT.matcher(hash);
        if (!m.matches()) {
            return "is not a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost and 53 characters of bcrypt base64)";
        }
        int cost = Integer.parseInt(m.group(1));
        if (cost < MIN_COST || cost > MAX_COST) {
            return "has cost " + cost + "; bcrypt allows " + MIN_COST + " to " + MAX_COST;
        }
        try {
            at.favre.lib.crypto.bcrypt.BCrypt.Version.VERSION_2A.parser.parse(hash.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalBCryptFormatException | RuntimeException e) {
            return "is not valid bcrypt base64";
        }
        return null;
    }

    /** The cost of a hash that passed {@link #problem}. */
    public static int cost(String hash) {
        return Integer.parseInt(hash.substring(4, 6));
    }
}
