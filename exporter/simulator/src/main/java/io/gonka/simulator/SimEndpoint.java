package io.gonka.simulator;

import java.util.Locale;

/**
 * Every upstream endpoint the simulator serves, with its error-body family. Faults and
 * request counters are keyed by these. Wire ids (control API) are the lower-case names.
 */
public enum SimEndpoint {
    ADMIN_NODES(Family.DAPI),
    ADMIN_CONFIG(Family.DAPI),
    ADMIN_SETUP_REPORT(Family.DAPI),
    ADMIN_UPGRADE_STATUS(Family.DAPI),
    RPC_STATUS(Family.COMET_RPC),
    RPC_NET_INFO(Family.COMET_RPC),
    RPC_VALIDATORS(Family.COMET_RPC),
    RPC_ABCI_INFO(Family.COMET_RPC),
    RPC_COMMIT(Family.COMET_RPC),
    RPC_ABCI_QUERY(Family.COMET_RPC),
    PUBLIC_STATUS(Family.DAPI),
    PUBLIC_EPOCHS_LATEST(Family.DAPI),
    PUBLIC_EPOCH_PARTICIPANTS(Family.DAPI),
    PUBLIC_V1_PARTICIPANT(Family.DAPI),
    PUBLIC_V2_PARTICIPANT(Family.DAPI),
    PUBLIC_MLNODE_METRICS(Family.DAPI),
    API_NODE_METRICS(Family.DAPI),
    CHAIN_PARTICIPANT(Family.CHAIN_API),
    CHAIN_PARAMS(Family.CHAIN_API),
    CHAIN_CURRENT_EPOCH(Family.CHAIN_API),
    CHAIN_EPOCH_INFO(Family.CHAIN_API),
    CHAIN_COLLATERAL(Family.CHAIN_API),
    MLNODE_HEALTH(Family.ML_NODE),
    MLNODE_GPU_DEVICES(Family.ML_NODE),
    MLNODE_STATE(Family.ML_NODE),
    MLNODE_METRICS(Family.ML_NODE);

    /** Which server software answers, which decides the error body shape (SCHEMAS §1). */
    public enum Family { DAPI, CHAIN_API, COMET_RPC, ML_NODE }

    private final Family family;

    SimEndpoint(Family family) {
        this.family = family;
    }

    public Family family() {
        return family;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SimEndpoint fromWireName(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
