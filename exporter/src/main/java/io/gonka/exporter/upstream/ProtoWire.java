package io.gonka.exporter.upstream;

import io.gonka.exporter.polling.SourceException;
import java.util.Optional;

/**
 * A minimal reader of the protobuf wire format, for the few fields the exporter takes from
 * CometBFT {@code abci_query} answers. Unknown fields are skipped; a malformed message is a
 * parse error, never a guess.
 */
public final class ProtoWire {
    private final byte[] buf;
    private final int end;
    private final String what;
    private final int from;
    private int pos;

    private ProtoWire(byte[] buf, int from, int to, String what) {
        this.buf = buf;
        this.from = from;
        this.pos = from;
        this.end = to;
        this.what = what;
    }

    public static ProtoWire of(byte[] message, String what) {
        return new ProtoWire(message, 0, message.length, what);
    }

    /** The last occurrence of a length-delimited field (protobuf: last one wins), as a message. */
    public Optional<ProtoWire> message(int field) {
        int[] span = null;
        reset();
        while (pos < end) {
            long key = varint();
            int number = (int) (key >>> 3);
            int type = (int) (key & 7);
            if (type == 2) {
                int len = length();
                if (number == field) {
                    span = new int[]{pos, pos + len};
                }
                pos += len;
            } else {
                skip(type);
            }
        }
        return span == null ? Optional.empty() : Optional.of(new ProtoWire(buf, span[0], span[1], what + "." + field));
    }

    /** The last occurrence of a varint field (int32/int64/uint64/bool), as the raw 64 bits. */
    public Optional<Long> varintField(int field) {
        Long value = null;
        reset();
        while (pos < end) {
            long key = varint();
            int number = (int) (key >>> 3);
            int type = (int) (key & 7);
            if (type == 0) {
                long v = varint();
                if (number == field) {
                    value = v;
                }
            } else {
                skip(type);
            }
        }
        return Optional.ofNullable(value);
    }

    private void reset() {
        pos = from;
    }

    private long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw SourceException.parse(what + ": truncated varint");
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw SourceException.parse(what + ": varint longer than 10 bytes");
    }

    private int length() {
        long len = varint();
        if (len < 0 || len > end - pos) {
            throw SourceException.parse(what + ": field length " + len + " beyond the message");
        }
        return (int) len;
    }

    private void skip(int type) {
        switch (type) {
            case 0 -> varint();
            case 1 -> advance(8);
            case 2 -> {
                int len = length(); // read first: "pos += length()" would add to the old pos
                pos += len;
            }
            case 5 -> advance(4);
            default -> throw SourceException.parse(what + ": unsupported wire type " + type);
        }
    }

    private void advance(int n) {
        if (n > end - pos) {
            throw SourceException.parse(what + ": truncated fixed field");
        }
        pos += n;
    }
}
