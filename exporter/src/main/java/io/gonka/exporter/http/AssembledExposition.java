package io.gonka.exporter.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * The collector's cached exposition in one direct buffer, assembled again only when a group's text
 * changed. A scrape sends a retained view of it: the socket reads the bytes in place, with no copy
 * per scrape (a heap array, or many of them, is first copied into a direct buffer for every write).
 * A buffer replaced while scrapes still send it is freed when the last of them is written.
 */
final class AssembledExposition {
    private List<byte[]> parts = List.of();
    private ByteBuf assembled;

    /** A view of the exposition of {@code current} for one response; the response releases it. */
    synchronized ByteBuf view(List<byte[]> current) {
        if (assembled == null || !sameParts(current)) {
            int size = 0;
            for (byte[] p : current) {
                size += p.length;
            }
            ByteBuf next = Unpooled.directBuffer(size, size);
            for (byte[] p : current) {
                next.writeBytes(p);
            }
            if (assembled != null) {
                assembled.release();
            }
            assembled = next;
            parts = List.copyOf(current);
        }
        return assembled.retainedDuplicate();
    }

    private boolean sameParts(List<byte[]> current) {
        if (current.size() != parts.size()) {
            return false;
        }
        for (int i = 0; i < current.size(); i++) {
            if (parts.get(i) != current.get(i)) {
                return false;
            }
        }
        return true;
    }
}
