package io.gonka.exporter.upstream;

import io.vertx.core.buffer.Buffer;
import java.io.InputStream;
import java.util.List;

/**
 * An upstream answer's bytes in the chunks they arrived in (a few KB each), handed from the client
 * to one parser and read once. A large answer (the participants list: 3.4 MB on 2,000
 * participants) is parsed from {@link #stream()} without ever being one array, and each chunk is
 * let go as soon as it has been read: whatever is still held when a young collection runs in
 * the middle of a parse is copied, or promoted to the old generation.
 */
public final class UpstreamBody {
    private final Buffer[] chunks;
    private final int length;

    UpstreamBody(List<Buffer> chunks, int length) {
        this.chunks = chunks.toArray(new Buffer[0]);
        this.length = length;
    }

    public static UpstreamBody of(byte[] bytes) {
        return new UpstreamBody(bytes.length == 0 ? List.of() : List.of(Buffer.buffer(bytes)), bytes.length);
    }

    public int length() {
        return length;
    }

    /** The whole answer as one array (one copy): for the small answers that become a tree. Reads the body. */
    public byte[] bytes() {
        byte[] all = new byte[length];
        int at = 0;
        for (int i = 0; i < chunks.length; i++) {
            Buffer c = taken(i);
            c.getBytes(0, c.length(), all, at);
            at += c.length();
        }
        return all;
    }

    private Buffer taken(int i) {
        Buffer c = chunks[i];
        if (c == null) {
            throw new IllegalStateException("an upstream body is read once");
        }
        chunks[i] = null;
        return c;
    }

    /** The answer as a stream over its chunks, copying nothing ahead of the reader. Reads the body. */
    public InputStream stream() {
        return new InputStream() {
            private int chunk = -1;
            private Buffer current = Buffer.buffer();
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
                while (at == current.length()) {
                    if (chunk + 1 == chunks.length) {
                        return -1;
                    }
                    current = taken(++chunk);
                    at = 0;
                }
                int n = Math.min(len, current.length() - at);
                current.getBytes(at, at + n, into, off);
                at += n;
                return n;
            }

            @Override
            public int available() {
                return current.length() - at;
            }
        };
    }
}
