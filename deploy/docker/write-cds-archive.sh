#!/bin/sh
# Writes the class-data-sharing archive of the exporter jar. Start-up then takes about half the
# time and CPU. Run it with the JVM that will run the exporter (an archive only works with the
# JVM build that wrote it) and again after every upgrade of the jar or of the JVM; a JVM that
# cannot use an archive starts without it. Used by the image build, the systemd install and the
# Maven build (exporter/target/gonka-exporter.jsa, for exporter/bin/gonka-exporter).
#   sh write-cds-archive.sh JAR ARCHIVE [SIMULATOR_JAR]     (JAVA=/path/to/java to pick another JVM)
# With SIMULATOR_JAR (exporter/simulator/target/gonka-simulator.jar, built beside the exporter),
# a training run: the simulated Gonka node starts on loopback, the exporter polls every source of
# it three times and serves /metrics after each round, then exits, and the archive holds the
# classes a running exporter loads (parsers, rendering, the scrape path): at the bench scale ~0.3 s
# less CPU in the first minute and the first complete scrape ~0.3 s sooner than with an archive of
# start-up alone. Without it the exporter exits as soon as it is up and the archive holds the
# start-up classes.
set -eu
if [ $# -ne 2 ] && [ $# -ne 3 ]; then
    echo "usage: write-cds-archive.sh JAR ARCHIVE [SIMULATOR_JAR]" >&2
    exit 2
fi
jar=$1
archive=$2
java=${JAVA:-java}
# Only what is set here reaches the runs: a service's JAVA_TOOL_OPTIONS (other flags, another
# archive) or GONKA_* settings (other upstreams) must not. Errors only: the simulated node's
# deliberately unreachable ML node is not news in a build's output.
unset_env="-u JAVA_TOOL_OPTIONS $(env | sed -n 's/^\(GONKA_[A-Za-z0-9_]*\)=.*/-u \1/p' | tr '\n' ' ') GONKA_LOG_LEVEL=ERROR"
run="-Dgonka.exit-after-start=true"
node_env=""
if [ $# -eq 3 ]; then
    simulator=$3
    if [ ! -f "$simulator" ]; then
        echo "write-cds-archive.sh: no simulator jar at $simulator" >&2
        exit 2
    fi
    work=$(mktemp -d)
    sim_pid=""
    trap '[ -z "$sim_pid" ] || { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; }; rm -rf "$work"' EXIT
    # env execs java: $! is the simulator's own pid
    # shellcheck disable=SC2086
    env $unset_env "$java" -XX:+UseSerialGC -Xmx256m -jar "$simulator" --scenario standard --bind 127.0.0.1 \
        --port-file "$work/node.json" >"$work/node.log" 2>&1 &
    sim_pid=$!
    tries=0
    while [ ! -s "$work/node.json" ]; do
        tries=$((tries + 1))
        if [ $tries -gt 300 ] || ! kill -0 "$sim_pid" 2>/dev/null; then
            echo "write-cds-archive.sh: the simulated node did not start:" >&2
            cat "$work/node.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    base=$(sed -n 's/.*"base_url":"\([^"]*\)".*/\1/p' "$work/node.json")
    rpc=$(sed -n 's/.*"chain_rpc_url":"\([^"]*\)".*/\1/p' "$work/node.json")
    run="-Dgonka.exit-after-polls=3"
    node_env="GONKA_ADMIN_URL=$base GONKA_RPC_URL=$rpc GONKA_PUBLIC_URL=$base"
fi
# word splitting of $unset_env, $node_env and $run is intended (no spaces inside a value)
# shellcheck disable=SC2086
env $unset_env $node_env "$java" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 $run -Dmicronaut.server.port=-1 -Dmicronaut.server.host=127.0.0.1 \
    -Dgonka.nvml-enabled=false -Dvertx.disableFileCPResolving=true \
    -jar "$jar"
chmod 0644 "$archive"
