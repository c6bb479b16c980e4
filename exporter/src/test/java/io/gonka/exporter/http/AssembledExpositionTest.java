package io.gonka.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssembledExpositionTest {
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void assemblesOnceWhileThePartsAreTheSameAndFreesAReplacedBufferAfterItsLastResponse() {
        AssembledExposition cache = new AssembledExposition();
        byte[] chain = bytes("gonka_chain_block_height 7\n");
        byte[] nodes = bytes("gonka_mlnode_up{node_id=\"a\"} 1\n");

        ByteBuf first = cache.view(List.of(chain, nodes));
        ByteBuf second = cache.view(List.of(chain, nodes));
        assertTrue(first.isDirect(), "the socket reads it in place");
        assertEquals("gonka_chain_block_height 7\ngonka_mlnode_up{node_id=\"a\"} 1\n", first.toString(StandardCharsets.UTF_8));
        assertEquals(first.unwrap(), second.unwrap(), "the same parts: the same buffer, not assembled again");
        ByteBuf shared = first.unwrap();
        assertEquals(3, shared.refCnt(), "held by the cache and the two responses");

        byte[] nodesChanged = bytes("gonka_mlnode_up{node_id=\"a\"} 0\n");
        ByteBuf third = cache.view(List.of(chain, nodesChanged));
        assertEquals("gonka_chain_block_height 7\ngonka_mlnode_up{node_id=\"a\"} 0\n", third.toString(StandardCharsets.UTF_8));
        assertEquals(2, shared.refCnt(), "replaced: only the two responses in flight hold the old one");
        assertEquals("gonka_chain_block_height 7\ngonka_mlnode_up{node_id=\"a\"} 1\n", first.toString(StandardCharsets.UTF_8),
                "a response in flight still sends what it was given");
        first.release();
        second.release();
        assertEquals(0, shared.refCnt(), "freed once the last response that sent it is done");
        third.release();
        assertEquals(1, third.unwrap().refCnt(), "the current one stays cached");
    }
}
