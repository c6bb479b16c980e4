package io.gonka.exporter.sources;

import static io.gonka.exporter.sources.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.NetInfo;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** CometBFT {@code GET /net_info}: connected peers. */
public final class RpcNetInfoSource implements Source<NetInfo> {
    public static final String NAME = "rpc_net_info";

    private final UpstreamClient client;
    private final String url;
    private final Duration interval;

    public RpcNetInfoSource(UpstreamClient client, String rpcUrl, Duration interval) {
        this.client = client;
        this.url = rpcUrl + "/net_info";
        this.interval = interval;
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
    public CompletionStage<NetInfo> poll() {
        return client.getOk(url, false).thenApply(RpcNetInfoSource::parse);
    }

    public static NetInfo parse(byte[] body) {
        JsonNode result = RpcStatusSource.jsonRpcResult(body, NAME);
        long peers = requiredLong(result, "n_peers", NAME + ".result");
        if (peers < 0) {
            throw SourceException.parse(NAME + ".result.n_peers: negative: " + peers);
        }
        return new NetInfo(peers);
    }
}
