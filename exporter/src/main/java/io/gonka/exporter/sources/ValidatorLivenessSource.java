package io.gonka.exporter.sources;

import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.ChainStatus;
import io.gonka.exporter.model.ValidatorLiveness;
import io.gonka.exporter.model.ValidatorSigningInfo;
import io.gonka.exporter.polling.NotReadyException;
import io.gonka.exporter.polling.Source;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.Bech32;
import io.gonka.exporter.upstream.JsonObjectStream;
import io.gonka.exporter.upstream.ProtoWire;
import io.gonka.exporter.upstream.UpstreamBody;
import io.gonka.exporter.upstream.UpstreamClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Liveness of this host's validator over plain CometBFT RPC, the way validator monitors do it
 * without the chain REST API: the consensus address and height from {@code /status} (as rpc_status
 * polled it, no request of its own), membership and voting
 * power from the paged {@code /validators} (refreshed every {@value #SET_REFRESH_BLOCKS} blocks),
 * and for each new block its commit ({@code /commit?height=}) to see whether the validator signed.
 * Bounded cost: one commit request per new block, at most {@value #MAX_COMMITS_PER_POLL} per poll,
 * and after a restart only the last {@code window} blocks are read, never more history.
 *
 * <p>Jailed / jailed-until come from the slashing module's {@code SigningInfo}, asked over
 * {@code abci_query} (protobuf) with the bech32 {@code gonkavalcons} form of the address: at most one
 * such request per poll, and only every {@value #SIGNING_INFO_REFRESH_BLOCKS} blocks, when the missed
 * count rose, or every {@value #SIGNING_INFO_JAILED_REFRESH_BLOCKS} blocks while jailed or out of the set. A node that
 * does not answer that route (or has no record of the validator) gives no signing info, not an error.
 */
public final class ValidatorLivenessSource implements Source<ValidatorLiveness> {
    public static final String NAME = "validator_liveness";
    static final int MAX_COMMITS_PER_POLL = 20;
    static final long SET_REFRESH_BLOCKS = 100;
    private static final int PER_PAGE = 100;
    private static final int MAX_PAGES = 100;
    static final long SIGNING_INFO_REFRESH_BLOCKS = 100;
    static final long SIGNING_INFO_JAILED_REFRESH_BLOCKS = 10;
    static final String SIGNING_INFO_PATH = "/cosmos.slashing.v1beta1.Query/SigningInfo";
    /** Gonka's consensus-address prefix (app config: SetBech32PrefixForConsensusNode("gonkavalcons", ...)). */
    static final String VALCONS_PREFIX = "gonkavalcons";

    private final UpstreamClient client;
    private final String rpc;
    private final Duration interval;
    private final int window;
    private final Supplier<Optional<ChainStatus>> chainStatus;

    // Polls never overlap (the scheduler's contract), so this state is touched by one poll at a time.
    private final TreeMap<Long, Boolean> missedByHeight = new TreeMap<>();
    private String address = "";
    private long setHeight = -1;
    private boolean inSet;
    private long votingPower;
    private Optional<ValidatorSigningInfo> signingInfo = Optional.empty();
    private long signingInfoHeight = -1;
    private int missedAtSigningInfo;
    private Optional<Instant> chainTime = Optional.empty();

    /**
     * @param window      the slashing module's {@code signed_blocks_window} (100 on mainnet)
     * @param chainStatus the latest fresh {@code /status} (height and consensus address), polled by rpc_status
     */
    public ValidatorLivenessSource(UpstreamClient client, String rpcUrl, Duration interval, int window,
                                   Supplier<Optional<ChainStatus>> chainStatus) {
        this.client = client;
        this.chainStatus = chainStatus;
        this.rpc = rpcUrl;
        this.interval = interval;
        this.window = window;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration interval() {
        return interval;
    }

    @Override
    public CompletionStage<ValidatorLiveness> poll() {
        Optional<ChainStatus> status = chainStatus.get();
        if (status.isEmpty()) {
            return CompletableFuture.failedFuture(new NotReadyException("no fresh /status from rpc_status yet"));
        }
        String addr = status.get().validatorAddress();
        if (addr.isEmpty()) {
            return CompletableFuture.failedFuture(
                    new NotReadyException("the node reports no validator key (/status validator_info.address)"));
        }
        synchronized (this) {
            if (!addr.equals(address)) {
                address = addr;
                missedByHeight.clear();
                setHeight = -1;
                signingInfo = Optional.empty();
                signingInfoHeight = -1;
            }
            chainTime = status.get().latestBlockTime();
        }
        // the newest block's commit is not final yet: look up to height - 1
        long top = status.get().height() - 1;
        CompletableFuture<Void> set = setHeight < 0 || top - setHeight >= SET_REFRESH_BLOCKS
                ? validatorSet(top, 1, 0).thenAccept(found -> {
                    synchronized (this) {
                        inSet = found >= 0;
                        votingPower = Math.max(0, found);
                        setHeight = top;
                    }
                })
                : CompletableFuture.completedFuture(null);
        return set.thenCompose(v -> commits(top)).thenCompose(v -> signingInfo(top)).thenApply(v -> snapshot());
    }

    /** Asks for the slashing module's signing info when it is due (one request at most). */
    private CompletableFuture<Void> signingInfo(long top) {
        boolean due;
        synchronized (this) {
            long since = top - signingInfoHeight;
            boolean jailed = signingInfo.map(i -> i.jailedAt(chainTime.orElse(Instant.now()))).orElse(false);
            due = signingInfoHeight < 0 || since >= SIGNING_INFO_REFRESH_BLOCKS
                    || ((jailed || !inSet) && since >= SIGNING_INFO_JAILED_REFRESH_BLOCKS)
                    || (since > 0 && missedCount() > missedAtSigningInfo);
        }
        if (!due) {
            return CompletableFuture.completedFuture(null);
        }
        String consAddress = Bech32.encode(VALCONS_PREFIX, HexFormat.of().parseHex(address.toLowerCase()));
        String url = rpc + "/abci_query?path=%22" + SIGNING_INFO_PATH + "%22&data=0x"
                + HexFormat.of().formatHex(signingInfoRequest(consAddress));
        return client.getOk(url, false).thenAccept(body -> {
            Optional<ValidatorSigningInfo> info = parseSigningInfo(body, top);
            synchronized (this) {
                signingInfo = info;
                signingInfoHeight = top;
                missedAtSigningInfo = missedCount();
            }
        });
    }

    /** {@code QuerySigningInfoRequest{string cons_address = 1}}. */
    static byte[] signingInfoRequest(String consAddress) {
        byte[] a = consAddress.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + a.length];
        out[0] = 0x0a;
        out[1] = (byte) a.length; // a bech32 address is far below 128 bytes: one-byte length
        System.arraycopy(a, 0, out, 2, a.length);
        return out;
    }

    /**
     * The {@code abci_query} answer: a non-zero code (route not served, no record for the address)
     * is "the node does not offer it"; a code-0 answer must decode.
     */
    static Optional<ValidatorSigningInfo> parseSigningInfo(byte[] body, long height) {
        JsonNode result = RpcStatusSource.jsonRpcResult(body, NAME + ".signing_info");
        JsonNode response = object(result, "response", NAME + ".signing_info.result");
        if (longOrZero(response, "code", NAME + ".signing_info.result.response") != 0) {
            return Optional.empty();
        }
        return Optional.of(decodeSigningInfo(ChainParamsSource.abciValue(body, NAME + ".signing_info"), height));
    }

    /**
     * {@code QuerySigningInfoResponse{ValidatorSigningInfo val_signing_info = 1}} with
     * {@code ValidatorSigningInfo{address = 1, start_height = 2, index_offset = 3,
     * google.protobuf.Timestamp jailed_until = 4 {seconds = 1, nanos = 2}, bool tombstoned = 5,
     * int64 missed_blocks_counter = 6}} (cosmos-sdk proto/cosmos/slashing/v1beta1).
     */
    static ValidatorSigningInfo decodeSigningInfo(byte[] value, long height) {
        ProtoWire info = ProtoWire.of(value, NAME + ".signing_info").message(1)
                .orElseThrow(() -> SourceException.parse(NAME + ".signing_info: no val_signing_info"));
        Optional<Instant> until = info.message(4).flatMap(ts -> {
            long seconds = ts.varintField(1).orElse(0L);
            long nanos = ts.varintField(2).orElse(0L);
            // the zero time (Unix 0 or Go's year 1, negative) means never jailed
            return seconds <= 0 ? Optional.<Instant>empty() : Optional.of(Instant.ofEpochSecond(seconds, nanos));
        });
        long missed = info.varintField(6).orElse(0L);
        if (missed < 0) {
            throw SourceException.parse(NAME + ".signing_info.missed_blocks_counter: negative " + missed);
        }
        return new ValidatorSigningInfo(until, info.varintField(5).orElse(0L) != 0, missed, height);
    }

    private int missedCount() {
        int missed = 0;
        for (boolean m : missedByHeight.values()) {
            if (m) {
                missed++;
            }
        }
        return missed;
    }

    /** Pages through {@code /validators}; completes with the address's voting power, or -1 when absent. */
    private CompletableFuture<Long> validatorSet(long height, int page, long seen) {
        String url = rpc + "/validators?height=" + height + "&page=" + page + "&per_page=" + PER_PAGE;
        return client.getOk(url, false).thenCompose(body -> {
            JsonNode result = RpcStatusSource.jsonRpcResult(body, NAME + ".validators");
            JsonNode list = result.get("validators");
            if (list == null || !list.isArray()) {
                throw SourceException.parse(NAME + ".validators.result.validators: expected an array");
            }
            for (JsonNode v : list) {
                if (address.equalsIgnoreCase(textOrEmpty(v, "address", NAME + ".validators"))) {
                    return CompletableFuture.completedFuture(longOrZero(v, "voting_power", NAME + ".validators"));
                }
            }
            long total = longOrZero(result, "total", NAME + ".validators.result");
            long now = seen + list.size();
            if (list.isEmpty() || now >= total || page >= MAX_PAGES) {
                return CompletableFuture.completedFuture(-1L);
            }
            return validatorSet(height, page + 1, now);
        });
    }

    /** Reads the commits of the heights not seen yet, oldest first, within the window. */
    private CompletableFuture<Void> commits(long top) {
        long from;
        synchronized (this) {
            long last = missedByHeight.isEmpty() ? 0 : missedByHeight.lastKey();
            from = Math.max(last + 1, top - window + 1);
            if (from < 1) {
                from = 1;
            }
        }
        long to = Math.min(top, from + MAX_COMMITS_PER_POLL - 1);
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (long h = from; h <= to; h++) {
            long height = h;
            chain = chain.thenCompose(v -> client.getOkBody(rpc + "/commit?height=" + height, false)
                    .thenAccept(body -> record(height, signed(body, address, height))));
        }
        return chain;
    }

    private synchronized void record(long height, boolean signed) {
        // a block only counts as missed while the validator is in the set
        missedByHeight.put(height, !signed && inSet);
        while (!missedByHeight.isEmpty() && missedByHeight.firstKey() <= height - window) {
            missedByHeight.pollFirstEntry();
        }
    }

    /**
     * Whether {@code address} signed the commit of {@code height} (flag 2 COMMIT or 3 NIL; 1 ABSENT is a miss).
     * Read as a token stream: a commit carries every validator's signature (460 KB with 2,000
     * validators, one every block), and only the height and this validator's flag are kept.
     */
    static boolean signed(byte[] body, String address, long height) {
        return signed(UpstreamBody.of(body), address, height);
    }

    static boolean signed(UpstreamBody body, String address, long height) {
        String what = NAME + ".commit";
        CommitScan[] scanned = new CommitScan[1];
        JsonObjectStream.readFields(body, what, (field, value, p) -> {
            if ("error".equals(field) && value != JsonToken.VALUE_NULL) {
                throw RpcStatusSource.rpcError(MAPPER.readTree(p), what);
            } else if ("result".equals(field)) {
                expectObject(value, what + ".result");
                scanned[0] = scanResult(p, address, what + ".result");
            } else {
                p.skipChildren();
            }
        });
        CommitScan scan = scanned[0];
        if (scan == null) {
            throw SourceException.parse(what + ".result: expected an object, got missing");
        }
        String commitPath = what + ".result.signed_header.commit";
        if (scan.height == null) {
            throw SourceException.parse(commitPath + ".height: missing");
        }
        long h = requiredLong(scan.height, "height", commitPath);
        if (h != height) {
            throw SourceException.parse(what + ": asked for height " + height + ", got " + h);
        }
        if (!scan.sawSignatures) {
            throw SourceException.parse(commitPath + ".signatures: expected an array");
        }
        return scan.signed;
    }

    /** What a commit says about one validator: its height (as a one-field object, for {@code requiredLong}) and whether it signed. */
    private static final class CommitScan {
        JsonNode height;
        boolean sawSignatures;
        boolean found;
        boolean signed;
    }

    private static void expectObject(JsonToken value, String path) {
        if (value != JsonToken.START_OBJECT) {
            throw SourceException.parse(path + ": expected an object, got " + value);
        }
    }

    /** Inside {@code result}: finds {@code signed_header.commit}, skipping the header and everything else. */
    private static CommitScan scanResult(JsonParser p, String address, String path) throws java.io.IOException {
        CommitScan scan = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("signed_header".equals(field)) {
                expectObject(value, path + ".signed_header");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String inner = p.currentName();
                    JsonToken v = p.nextToken();
                    if ("commit".equals(inner)) {
                        expectObject(v, path + ".signed_header.commit");
                        scan = scanCommit(p, address, path + ".signed_header.commit");
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (scan == null) {
            throw SourceException.parse(path + ".signed_header.commit: expected an object, got missing");
        }
        return scan;
    }

    private static CommitScan scanCommit(JsonParser p, String address, String path) throws java.io.IOException {
        CommitScan scan = new CommitScan();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("height".equals(field)) {
                scan.height = MAPPER.createObjectNode().set("height", MAPPER.readTree(p));
            } else if ("signatures".equals(field) && value == JsonToken.START_ARRAY) {
                scan.sawSignatures = true;
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    // each entry is a handful of fields: a small tree, then dropped
                    JsonNode s = MAPPER.readTree(p);
                    if (!scan.found && address.equalsIgnoreCase(textOrEmpty(s, "validator_address", path + ".signatures"))) {
                        scan.found = true;
                        long flag = longOrZero(s, "block_id_flag", path + ".signatures");
                        scan.signed = flag == 2 || flag == 3;
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return scan;
    }

    private synchronized ValidatorLiveness snapshot() {
        int missed = missedCount();
        int consecutive = 0;
        Iterator<Map.Entry<Long, Boolean>> newestFirst = missedByHeight.descendingMap().entrySet().iterator();
        long expected = missedByHeight.isEmpty() ? 0 : missedByHeight.lastKey();
        while (newestFirst.hasNext()) {
            Map.Entry<Long, Boolean> e = newestFirst.next();
            if (e.getKey() != expected || !e.getValue()) {
                break;
            }
            consecutive++;
            expected--;
        }
        return new ValidatorLiveness(address, inSet, votingPower, missedByHeight.size(), missed, consecutive,
                missedByHeight.isEmpty() ? 0 : missedByHeight.lastKey(), signingInfo, chainTime);
    }
}
