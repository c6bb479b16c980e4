package io.gonka.exporter.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Bech32 against published vectors. */
class Bech32Test {

    @Test
    void bip173ValidChecksums() {
        // BIP-173 "valid Bech32" test vectors
        assertEquals("a12uel5l", Bech32.encode("a", new byte[0]));
        // data part "qpzry9x8gf2tvdw0s3jn54khce6mua7l" is the 5-bit values 0..31, i.e. these 20 bytes
        assertEquals("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                Bech32.encode("abcdef", HexFormat.of().parseHex("00443214c74254b635cf84653a56d7c675be77df")));
    }

    @Test
    void gonkaConsensusAddress() {
        // from gonka-ai/gonka's own address checks: hex B6288C87... is gonkavalcons1kc5gepmn...
        assertEquals("gonkavalcons1kc5gepmn8xwt2ekz25sm7vytedhaqt5uk8nmwv",
                Bech32.encode("gonkavalcons", HexFormat.of().parseHex("b6288c8773399cb566c25521bf308bcb6fd02e9c")));
    }
}
