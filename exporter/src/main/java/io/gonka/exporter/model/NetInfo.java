package io.gonka.exporter.model;

/** CometBFT {@code /net_info}. */
public record NetInfo(long peers) {}
