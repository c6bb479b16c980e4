package io.gonka.exporter.sources;

import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.ChainStatus;
import java.time.Duration;

/** CometBFT {@code GET /status}. */
public final class RpcStatusSource extends SingleRequestSource<ChainStatus> {
    public static final String NAME = "rpc_status";

    public RpcStatusSource(UpstreamClient client, String rpcUrl, Duration interval) {
        super(NAME, client, rpcUrl + "/status", interval, false);
    }

    @Override
    protected ChainStatus parseBody(byte[] body) {
        return parse(body, NAME);
    }

    /** Shared with the reference-height poller: same shape from other nodes. */
    public static ChainStatus parse(byte[] body, String what) {
        JsonNode result = jsonRpcResult(body, what);
        JsonNode sync = object(result, "sync_info", what + ".result");
        long height = requiredLong(sync, "latest_block_height", what + ".result.sync_info");
        if (height < 0) {
            throw SourceException.parse(what + ".result.sync_info.latest_block_height: negative: " + height);
        }
        String validator = optionalObject(result, "validator_info", what + ".result")
                .map(v -> textOrEmpty(v, "address", what + ".result.validator_info")).orElse("").trim().toUpperCase(java.util.Locale.ROOT);
        java.util.Optional<String> pubKey = optionalObject(result, "validator_info", what + ".result")
                .flatMap(v -> optionalObject(v, "pub_key", what + ".result.validator_info"))
                .flatMap(k -> optionalText(k, "value", what + ".result.validator_info.pub_key"))
                .filter(k -> !k.isBlank());
        return new ChainStatus(height,
                optionalTime(sync, "latest_block_time", what + ".result.sync_info"),
                boolOrFalse(sync, "catching_up", what + ".result.sync_info"),
                pubKey, validator);
    }

    /** Unwraps {@code {"jsonrpc":"2.0","result":{...}}}; a JSON-RPC error object is an upstream error. */
    static JsonNode jsonRpcResult(byte[] body, String what) {
        JsonNode root = readTree(body, what);
        if (!root.isObject()) {
            throw SourceException.parse(what + ": expected an object, got " + kind(root));
        }
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            throw rpcError(error, what);
        }
        return object(root, "result", what);
    }

    /** A JSON-RPC {@code error} member as the failure it reports. */
    static SourceException rpcError(JsonNode error, String what) {
        String msg = error.isObject() ? error.path("message").asText("") + " " + error.path("data").asText("") : error.asText();
        return new SourceException(FailureReason.HTTP, what + ": JSON-RPC error: " + clip(msg.trim()));
    }
}
