#!/usr/bin/env bash
# An hour at the benchmark's scale (README, performance): the simulated node with 2,000
# participants x 3 ML nodes and 64 local ML nodes x 8 GPUs, the exporter started by the README
# command with every source polled every 10 s and network series on, a scrape every 15 s, and
# every 5 minutes a forced full GC to read the live heap. One line per scrape in
# target/scale-soak/samples.txt: series, sources down, RSS, CPU ticks, and the live heap when read.
#   exporter/src/test/soak/scale-soak.sh        # 3600 s
#   exporter/src/test/soak/scale-soak.sh 600
# Needs the built jars (mvn -B package -DskipTests), python3, curl and jcmd. Loopback only.
set -euo pipefail
seconds=${1:-3600}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
out=$root/exporter/target/scale-soak
mkdir -p "$out"
cd "$out"
rm -f sim.port samples.txt
java -Xmx1g -jar "$root/exporter/simulator/target/gonka-simulator.jar" --scenario scale:2000:3:64:8 \
    --port-file sim.port --block-interval-ms 5400 > simulator.log 2>&1 &
sim=$!
trap 'kill $sim ${exporter:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do [ -s sim.port ] && break; sleep 0.2; done
base=$(python3 -c 'import json;print(json.load(open("sim.port"))["base_url"])')
rpc=$(python3 -c 'import json;print(json.load(open("sim.port"))["chain_rpc_url"])')
for s in ADMIN_NODES ADMIN_CONFIG SETUP_REPORT RPC_STATUS RPC_NET_INFO EPOCH PARTICIPANTS PARTICIPANT_STATS MLNODE_HEALTH; do
    export "GONKA_INTERVAL_$s=10s"
done
port=${GONKA_EXPORTER_PORT:-19409}
export GONKA_ADMIN_URL=$base GONKA_RPC_URL=$rpc GONKA_PUBLIC_URL=$base GONKA_EXPORTER_HOST=127.0.0.1 \
    GONKA_EXPORTER_PORT=$port GONKA_NETWORK_SERIES=true GONKA_NVML_ENABLED=false
"$root/exporter/bin/gonka-exporter" > exporter.log 2>&1 &
exporter=$!
sleep 20
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$seconds" ]; do
    el=$(( $(date +%s) - start ))
    curl -s -m 5 "127.0.0.1:$port/metrics" -o metrics.txt || true
    line="t=$el series=$(grep -vc '^#' metrics.txt) sources_down=$(grep '^gonka_source_up' metrics.txt | grep -c ' 0.0' || true)"
    line="$line rss_kb=$(awk '/VmRSS/{print $2}' /proc/$exporter/status) cpu_ticks=$(awk '{print $14+$15}' /proc/$exporter/stat)"
    if [ $(( el % 300 )) -lt 15 ] && [ "$el" -gt 30 ]; then
        jcmd "$exporter" GC.run > /dev/null
        line="$line live_after_full_gc=$(jcmd "$exporter" GC.heap_info | awk '/tenured generation/{print $6}')"
    fi
    echo "$line" | tee -a samples.txt
    sleep 15
done
