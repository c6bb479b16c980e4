package io.gonka.exporter.model;

import java.util.OptionalLong;

/** Heights of the configured reference nodes that answered; the highest is the reference for block lag. */
public record ReferenceHeights(OptionalLong maxHeight, int answered, int configured) {}
