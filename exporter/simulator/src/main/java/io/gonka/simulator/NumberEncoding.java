package io.gonka.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The three ways the Gonka APIs put an int64 into JSON (SCHEMAS §2). */
enum NumberEncoding {
    /** Family A (gogoproto + encoding/json): a number, key omitted when zero. */
    NUMBER_OMIT_ZERO,
    /** A number, always present. */
    NUMBER,
    /** Family B/D and protoToRawJSON: a decimal string, always present. */
    STRING;

    void put(ObjectNode target, String key, long value) {
        switch (this) {
            case NUMBER_OMIT_ZERO -> {
                if (value != 0) {
                    target.put(key, value);
                }
            }
            case NUMBER -> target.put(key, value);
            case STRING -> target.put(key, Long.toString(value));
        }
    }
}
