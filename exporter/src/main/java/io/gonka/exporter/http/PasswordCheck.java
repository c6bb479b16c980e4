package io.gonka.exporter.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a Basic {@code Authorization} header against the bcrypt hashes of the web config without
 * ever running bcrypt on a server thread, and without letting anyone make it run without bound.
 *
 * <ul>
 * <li>bcrypt runs on its own small pool with a short queue; when that is full the answer is
 *     "too many attempts" at once, so the event loop (and the health probes it serves) never waits.</li>
 * <li>An outcome, right or wrong, is remembered under an HMAC of the header with a key that lives
 *     only in this process, in bounded maps: a scrape every 15 s pays bcrypt once, and a repeated
 *     wrong password costs nothing. The cleartext is never kept.</li>
 * <li>Each client address has a token bucket for bcrypt runs (cache hits are free), so one client
 *     guessing many passwords is slowed to a few checks a second.</li>
 * <li>An unknown user gets a bcrypt run against a dummy hash of the same cost as the real ones, so
 *     the answer time does not tell which user names exist.</li>
 * <li>Every malformed input (bad base64, no colon, over-long header, password over bcrypt's 72 bytes,
 *     invalid UTF-8) is a plain refusal: no exception leaves this class.</li>
 * </ul>
 */
public final class PasswordCheck implements AutoCloseable {
    public enum Outcome { ACCEPTED, REJECTED, THROTTLED }

    /** Longest header looked at; 72-byte bcrypt passwords and sane user names fit well within. */
    static final int MAX_HEADER_CHARS = 1024;
    static final int BCRYPT_MAX_PASSWORD_BYTES = 72;
    static final int REMEMBERED_SUCCESSES = 256;
    static final int REMEMBERED_FAILURES = 4096;
    static final int TRACKED_CLIENTS = 1024;

    private final Map<String, String> users;
    private final String dummyHash;
    private final Mac hmacPrototype;
    private final Map<String, Boolean> successes = lru(REMEMBERED_SUCCESSES);
    private final Map<String, Boolean> failures = lru(REMEMBERED_FAILURES);
    private final Map<String, TokenBucket> buckets = lru(TRACKED_CLIENTS);
    private final ThreadPoolExecutor pool;
    private final LongSupplier nanoClock;
    private final double burst;
    private final double perSecond;
    private final AtomicLong bcryptRuns = new AtomicLong();
    private final Set<String> bcryptThreads = ConcurrentHashMap.newKeySet();

    public PasswordCheck(Map<String, String> users) {
        this(users, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 8, 10, 2, System::nanoTime);
    }

    /**
     * @param threads   bcrypt threads (at most half the cores by default: scrapes need the rest)
     * @param queue     bcrypt runs allowed to wait; beyond that a request is refused at once
     * @param burst     bcrypt runs a client may start at once
     * @param perSecond bcrypt runs a client regains per second
     */
    PasswordCheck(Map<String, String> users, int threads, int queue, double burst, double perSecond, LongSupplier nanoClock) {
        this.users = Map.copyOf(users);
        this.burst = burst;
        this.perSecond = perSecond;
        this.nanoClock = nanoClock;
        int cost = users.values().stream().mapToInt(BcryptHashes::cost).max().orElse(4);
        this.dummyHash = BCrypt.withDefaults().hashToString(cost, randomPassword());
        try {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            hmacPrototype = Mac.getInstance("HmacSHA256");
            hmacPrototype.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "gonka-bcrypt-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Cost of the hash unknown users are checked against. */
    int dummyCost() {
        return BcryptHashes.cost(dummyHash);
    }

    /** bcrypt runs done so far (right, wrong and dummy): what an attacker made the server spend. */
    public long bcryptRuns() {
        return bcryptRuns.get();
    }

    /**
     * The outcome for this {@code Authorization} header from this client address. Completes at once
     * unless bcrypt has to run; never completes exceptionally.
     */
    public CompletableFuture<Outcome> check(String header, String client) {
        if (header == null || header.length() > MAX_HEADER_CHARS || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return CompletableFuture.completedFuture(Outcome.REJECTED);
        }
        String key = hmac(header);
        if (remembered(successes, key)) {
            return CompletableFuture.completedFuture(Outcome.ACCEPTED);
        }
        if (remembered(failures, key)) {
            return CompletableFuture.completedFuture(Outcome.REJECTED);
        }
        Credentials c = Credentials.decode(header.substring(6).trim());
        if (c == null) {
            return CompletableFuture.completedFuture(Outcome.REJECTED);
        }
        if (!takeToken(client)) {
            return CompletableFuture.completedFuture(Outcome.THROTTLED);
        }
        String hash = users.get(c.user());
        try {
            return CompletableFuture.supplyAsync(() -> {
                boolean ok = verify(c.password(), hash == null ? dummyHash : hash) && hash != null;
                remember(ok ? successes : failures, key);
                return ok ? Outcome.ACCEPTED : Outcome.REJECTED;
            }, pool).exceptionally(e -> Outcome.REJECTED);
        } catch (RejectedExecutionException full) {
            return CompletableFuture.completedFuture(Outcome.THROTTLED);
        }
    }

    /** Names of the threads bcrypt has run on (a handful at most: the pool's). */
    Set<String> bcryptThreads() {
        return Set.copyOf(bcryptThreads);
    }

    private boolean verify(char[] password, String hash) {
        bcryptRuns.incrementAndGet();
        bcryptThreads.add(Thread.currentThread().getName());
        try {
            return BCrypt.verifyer().verify(password, hash.toCharArray()).verified;
        } catch (RuntimeException e) {
            return false; // hashes are validated at start; a password is bounded before this
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private boolean takeToken(String client) {
        TokenBucket b;
        synchronized (buckets) {
            b = buckets.computeIfAbsent(client == null ? "" : client, k -> new TokenBucket(burst, nanoClock.getAsLong()));
        }
        return b.take(burst, perSecond, nanoClock.getAsLong());
    }

    private String hmac(String header) {
        try {
            Mac mac = (Mac) hmacPrototype.clone();
            return Base64.getEncoder().encodeToString(mac.doFinal(header.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean remembered(Map<String, Boolean> map, String key) {
        synchronized (map) {
            return map.get(key) != null;
        }
    }

    private static void remember(Map<String, Boolean> map, String key) {
        synchronized (map) {
            map.put(key, Boolean.TRUE);
        }
    }

    private static <V> Map<String, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > max;
            }
        };
    }

    private static char[] randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b).toCharArray();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** User and password from the base64 part of a Basic header; null for anything malformed. */
    record Credentials(String user, char[] password) {
        static Credentials decode(String base64) {
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                return null;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
            } catch (CharacterCodingException e) {
                return null;
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
            int colon = text.indexOf(':');
            if (colon < 0) {
                return null;
            }
            CharBuffer password = CharBuffer.wrap(text, colon + 1, text.length());
            if (StandardCharsets.UTF_8.encode(password.duplicate()).remaining() > BCRYPT_MAX_PASSWORD_BYTES) {
                return null; // bcrypt reads only 72 bytes; such a password can never be right
            }
            return new Credentials(text.substring(0, colon), text.substring(colon + 1).toCharArray());
        }
    }

    /** bcrypt runs a client may start: {@code burst} at once, refilled at {@code perSecond}. */
    private static final class TokenBucket {
        private double tokens;
        private long last;

        TokenBucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(double burst, double perSecond, long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
