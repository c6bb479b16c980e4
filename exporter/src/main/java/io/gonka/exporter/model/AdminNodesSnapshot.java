package io.gonka.exporter.model;

import java.util.List;

public record AdminNodesSnapshot(List<MlNode> nodes) {}
