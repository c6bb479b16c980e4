#!/bin/sh
# Starts this host's Prometheus with one of the configs under deploy/host/ (plain/ for a full
# Prometheus, agent/ for agent mode), and refuses to start without a host name.
#
#   GONKA_HOST_NAME=host-a GONKA_PARTICIPANT=gonka1... deploy/host/run-prometheus.sh \
#     deploy/host/agent/prometheus.yml --enable-feature=agent --storage.agent.path=/var/lib/gonka-prometheus
#
# GONKA_HOST_NAME becomes the `host` label of every series this host pushes and its own write user
# on the central server; unset, the label would silently be dropped and hosts would collide. The
# config's ${GONKA_HOST_NAME} and ${GONKA_PARTICIPANT} are filled in and the result written to
# GONKA_RENDERED_CONFIG (default: next to the config in $TMPDIR); every other argument goes to
# Prometheus (PROMETHEUS, default `prometheus`, is the binary).
set -eu

name="${GONKA_HOST_NAME:-}"
if [ -z "$name" ]; then
  echo "run-prometheus.sh: GONKA_HOST_NAME is not set: set it to this host's unique name (it labels every series and is its write user on the central server)" >&2
  exit 64
fi
case "$name" in
  *[!A-Za-z0-9._-]*)
    echo "run-prometheus.sh: GONKA_HOST_NAME=$name: use only letters, digits, '.', '_' and '-'" >&2
    exit 64 ;;
esac
participant="${GONKA_PARTICIPANT:-}"
case "$participant" in
  *[!a-z0-9]*)
    echo "run-prometheus.sh: GONKA_PARTICIPANT=$participant is not a bech32 address (gonka1...)" >&2
    exit 64 ;;
esac

config="${1:?usage: run-prometheus.sh CONFIG [prometheus flags...]}"
shift
rendered="${GONKA_RENDERED_CONFIG:-${TMPDIR:-/tmp}/gonka-prometheus-$name.yml}"
# Prometheus reads relative file_sd paths (targets/node*.yml) from the config's folder: the
# rendered copy lives elsewhere, so they become absolute paths into the original's folder.
confdir=$(cd "$(dirname "$config")" && pwd)
sed -e "s/\${GONKA_HOST_NAME}/$name/g" -e "s/\${GONKA_PARTICIPANT}/$participant/g" \
  -e "s#\(files: *\[\"\)\([^/\"]\)#\1$confdir/\2#" "$config" > "$rendered"
exec "${PROMETHEUS:-prometheus}" --config.file="$rendered" "$@"
