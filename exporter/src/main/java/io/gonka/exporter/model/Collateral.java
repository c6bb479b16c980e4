package io.gonka.exporter.model;

import java.math.BigInteger;

/** This participant's active collateral (x/collateral {@code Collateral} query): none is 0. */
public record Collateral(String participant, String denom, BigInteger amount) {}
