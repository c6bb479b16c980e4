package io.gonka.simulator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Just enough protobuf encoding for the {@code abci_query} answers the simulator gives. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        if (value != 0) { // proto3: defaults are not written
            tag(field, 0);
            raw(value);
        }
        return this;
    }

    ProtoWriter message(int field, ProtoWriter message) {
        byte[] b = message.bytes();
        tag(field, 2);
        raw(b.length);
        out.writeBytes(b);
        return this;
    }

    ProtoWriter string(int field, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        tag(field, 2);
        raw(b.length);
        out.writeBytes(b);
        return this;
    }

    /** The chain's {@code Decimal{int64 value = 1; int32 exponent = 2}}. */
    static ProtoWriter decimal(long value, int exponent) {
        return new ProtoWriter().varint(1, value).varint(2, exponent);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
