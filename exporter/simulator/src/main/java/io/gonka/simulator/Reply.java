package io.gonka.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;

/** A complete HTTP answer before faults are applied. */
record Reply(int status, byte[] body, String contentType) {
    static final String JSON = "application/json; charset=UTF-8";

    static Reply json(int status, JsonNode body) {
        return new Reply(status, Json.bytes(body), JSON);
    }

    static Reply json(int status, byte[] body) {
        return new Reply(status, body, JSON);
    }

    static Reply text(int status, String body) {
        return new Reply(status, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    /** The error answer each server family gives (SCHEMAS §1, "Error bodies"). */
    static Reply error(SimEndpoint.Family family, int status, String message) {
        return switch (family) {
            case DAPI -> json(status, Json.obj().put("error", message));
            case CHAIN_API -> {
                var o = Json.obj().put("code", status == 404 ? 5 : 13).put("message", message);
                o.putArray("details");
                yield json(status, o);
            }
            case COMET_RPC -> status == 404 ? text(404, "404 page not found\n") : json(status, CometRpcResponses.error(message));
            case ML_NODE -> json(status, MlNodeResponses.detail(message));
        };
    }
}
