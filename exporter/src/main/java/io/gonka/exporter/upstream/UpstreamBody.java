package io.gonka.exporter.upstream;

import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.util.List;

/**
 * An upstream answer's bytes in the chunks they arrived in (a few KB each). A large answer (the
 * participants list: 3.4 MB on 2,000 participants) is parsed from {@link #stream()} without ever
 * being one array: a multi-megabyte array per poll is what grew the old generation.
 */
public final class UpstreamBody {
    private final List<Buffer> chunks;
    private final int length;

    UpstreamBody(List<Buffer> chunks, int length) {
        this.chunks = List.copyOf(chunks);
        this.length = length;
    }

    public static UpstreamBody of(byte[] bytes) {
        return new UpstreamBody(bytes.length == 0 ? List.of() : List.of(Buffer.buffer(bytes)), bytes.length);
    }

    public int length() {
        return length;
    }

    /** The whole answer as one array (one copy): for the small answers that become a tree. */
    public byte[] bytes() {
        byte[] all = new byte[length];
        int at = 0;
        for (Buffer c : chunks) {
            c.getBytes(0, c.length(), all, at);
            at += c.length();
        }
        return all;
    }

    /** The answer as a stream over its chunks, copying nothing ahead of the reader. */
    public InputStream stream() {
        return new InputStream() {
            private int chunk;
            private int at;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] into, int off, int len) {
                if (len == 0) {
                    return 0;
                }
                while (chunk < chunks.size() && at == chunks.get(chunk).length()) {
                    chunk++;
                    at = 0;
                }
                if (chunk == chunks.size()) {
                    return -1;
                }
                Buffer c = chunks.get(chunk);
                int n = Math.min(len, c.length() - at);
                c.getBytes(at, at + n, into, off);
                at += n;
                return n;
            }

            @Override
            public int available() {
                return chunk < chunks.size() ? chunks.get(chunk).length() - at : 0;
            }
        };
    }
}
