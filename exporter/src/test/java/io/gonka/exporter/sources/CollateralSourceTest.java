package io.gonka.exporter.sources;

import static org.junit.jupiter.api.Assertions.*;

import io.gonka.exporter.model.Collateral;
import io.gonka.exporter.polling.FailureReason;
import io.gonka.exporter.polling.SourceException;
import io.gonka.exporter.polling.UnsupportedUpstreamException;
import io.gonka.exporter.upstream.UpstreamResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** x/collateral through /chain-api/: an amount, the chain's NotFound (none), or no /chain-api/ at all. */
class CollateralSourceTest {
    private static UpstreamResponse r(int status, String body) {
        return new UpstreamResponse("http://127.0.0.1:1/chain-api/x", status, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void amountNoneAndNoChainApi() {
        Collateral c = CollateralSource.parse(r(200, "{\"amount\":{\"denom\":\"ngonka\",\"amount\":\"196059000000\"}}"), "gonka1a");
        assertEquals(new BigInteger("196059000000"), c.amount());
        assertEquals("ngonka", c.denom());
        // codes.NotFound from the keeper: no collateral deposited
        Collateral none = CollateralSource.parse(r(404, "{\"code\":5,\"message\":\"collateral not found for participant gonka1a\",\"details\":[]}"), "gonka1a");
        assertEquals(BigInteger.ZERO, none.amount());
        // the proxy's own 404 (chain-api switched off): unsupported, not zero
        assertThrows(UnsupportedUpstreamException.class, () -> CollateralSource.parse(r(404, "<html>404 Not Found</html>"), "gonka1a"));
        assertEquals(FailureReason.HTTP, assertThrows(SourceException.class, () -> CollateralSource.parse(r(502, "bad gateway"), "gonka1a")).reason());
        assertEquals(FailureReason.PARSE, assertThrows(SourceException.class,
                () -> CollateralSource.parse(r(200, "{\"amount\":{\"denom\":\"ngonka\",\"amount\":\"-5\"}}"), "gonka1a")).reason());
    }
}
