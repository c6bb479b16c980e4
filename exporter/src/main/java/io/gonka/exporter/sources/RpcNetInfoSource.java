package io.gonka.exporter.sources;

import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.upstream.UpstreamClient;
import static io.gonka.exporter.upstream.JsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.gonka.exporter.model.NetInfo;
import java.time.Duration;

/** CometBFT {@code GET /net_info}: connected peers. */
public final class RpcNetInfoSource extends SingleRequestSource<NetInfo> {
    public static final String NAME = "rpc_net_info";

    public RpcNetInfoSource(UpstreamClient client, String rpcUrl, Duration interval) {
        super(NAME, client, rpcUrl + "/net_info", interval, false);
    }

    @Override
    protected NetInfo parseBody(byte[] body) {
        return parse(body);
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
