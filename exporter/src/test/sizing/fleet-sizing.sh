#!/usr/bin/env bash
# Fleet sizing, measured: the series one host pushes, Prometheus' bytes per sample on disk, and its
# memory per active series, from real processes on loopback. One exporter (simulated standard
# host) is scraped as HOSTS different hosts (the same target under HOSTS host labels), so the
# central TSDB holds what HOSTS hosts would push, every SCRAPE for SECONDS.
#   mvn -B -q package -DskipTests && bash exporter/src/test/sizing/fleet-sizing.sh [HOSTS] [SECONDS] [SCRAPE]
# Prints the numbers the README's "Sizing" section quotes.
set -euo pipefail
hosts=${1:-40}
seconds=${2:-300}
scrape=${3:-5s}
root=$(cd "$(dirname "$0")/../../../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
q() { curl -sf "http://127.0.0.1:$prom/api/v1/query" --data-urlencode "query=$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "nan")'; }

sim=$(port); exp=$(port); prom=$(port)
java -jar "$root/exporter/simulator/target/gonka-simulator.jar" --scenario standard --port "$sim" --block-interval-ms 1000 >"$work/sim.log" 2>&1 & pids+=($!)
sleep 2
GONKA_ADMIN_URL=http://127.0.0.1:$sim GONKA_RPC_URL=http://127.0.0.1:$sim GONKA_PUBLIC_URL=http://127.0.0.1:$sim \
GONKA_REFERENCE_URLS=http://127.0.0.1:$sim GONKA_NVML_ENABLED=false GONKA_EXPORTER_HOST=127.0.0.1 GONKA_EXPORTER_PORT=$exp \
  java -XX:+UseSerialGC -Xmx96m -jar "$root/exporter/target/gonka-exporter.jar" >"$work/exporter.log" 2>&1 & pids+=($!)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$exp/health/readiness" >/dev/null && break; sleep 1; done

{
  printf 'global: {scrape_interval: %s, scrape_timeout: %s}\nscrape_configs:\n  - job_name: gonka-exporter\n    static_configs:\n' "$scrape" "$scrape"
  for i in $(seq "$hosts"); do printf '      - {targets: ["127.0.0.1:%s"], labels: {host: "host-%03d", participant: "gonka1host%03d"}}\n' "$exp" "$i" "$i"; done
  printf '  - job_name: self\n    static_configs: [{targets: ["127.0.0.1:%s"]}]\n' "$prom"
} > "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" --web.listen-address=127.0.0.1:$prom \
  --web.enable-admin-api --log.level=warn >"$work/prometheus.log" 2>&1 & pids+=($!)
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$prom/-/ready" >/dev/null && break; sleep 1; done
sleep "$seconds"

per_host=$(q 'count({job="gonka-exporter",host="host-001"})')
series=$(q 'prometheus_tsdb_head_series')
samples=$(q 'prometheus_tsdb_head_samples_appended_total')
rss=$(q 'process_resident_memory_bytes{job="self"}')
heap=$(q 'go_memstats_heap_inuse_bytes{job="self"}')
# Write the head to a block (the snapshot compacts it exactly as a 2-hour block would be).
snap=$(curl -sf -XPOST "http://127.0.0.1:$prom/api/v1/admin/tsdb/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])')
chunks=$(du -sb "$work/tsdb/snapshots/$snap"/*/chunks | awk '{s+=$1} END {print s}')
index=$(du -sb "$work/tsdb/snapshots/$snap"/*/index | awk '{s+=$1} END {print s}')
python3 - "$hosts" "$seconds" "$scrape" "$per_host" "$series" "$samples" "$rss" "$heap" "$chunks" "$index" <<'PY'
import sys
hosts, seconds, scrape, per_host, series, samples, rss, heap, chunks, index = sys.argv[1:]
per_host, series, samples, rss, heap, chunks, index = map(float, (per_host, series, samples, rss, heap, chunks, index))
print(f"hosts simulated            {hosts} (scrape {scrape}, {seconds} s)")
print(f"series per host            {per_host:.0f}")
print(f"head series (all)          {series:.0f}")
print(f"samples appended           {samples:.0f}")
print(f"bytes per sample, chunks   {chunks / samples:.2f}")
print(f"bytes per sample, +index   {(chunks + index) / samples:.2f}")
print(f"Prometheus RSS             {rss / 2**20:.0f} MiB  ({rss / series:.0f} B per head series)")
print(f"Prometheus heap in use     {heap / 2**20:.0f} MiB  ({heap / series:.0f} B per head series)")
PY
