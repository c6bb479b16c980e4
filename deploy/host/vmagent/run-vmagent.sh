#!/bin/sh
# vmagent instead of Prometheus on a host: scrapes with scrape.yml and pushes to the central server
# with this host's own write-only user. Refuses to start without a host name (see
# ../run-prometheus.sh for why).
#
#   GONKA_HOST_NAME=host-a GONKA_PARTICIPANT=gonka1... \
#   GONKA_REMOTE_WRITE_URL=https://monitoring.example.com/api/v1/write \
#   GONKA_REMOTE_WRITE_PASSWORD_FILE=/etc/gonka/remote_write_password \
#     deploy/host/vmagent/run-vmagent.sh -remoteWrite.tmpDataPath=/var/lib/gonka-vmagent
#
# GONKA_SCRAPE_CONFIG overrides scrape.yml; VMAGENT (default `vmagent`) is the binary; every
# argument goes to vmagent. For a tenant header or another write path see ../remote-write/README.md.
set -eu

name="${GONKA_HOST_NAME:-}"
if [ -z "$name" ]; then
  echo "run-vmagent.sh: GONKA_HOST_NAME is not set: set it to this host's unique name (it labels every series and is its write user on the central server)" >&2
  exit 64
fi
case "$name" in
  *[!A-Za-z0-9._-]*)
    echo "run-vmagent.sh: GONKA_HOST_NAME=$name: use only letters, digits, '.', '_' and '-'" >&2
    exit 64 ;;
esac
url="${GONKA_REMOTE_WRITE_URL:?run-vmagent.sh: set GONKA_REMOTE_WRITE_URL (the central server's write URL)}"
password_file="${GONKA_REMOTE_WRITE_PASSWORD_FILE:?run-vmagent.sh: set GONKA_REMOTE_WRITE_PASSWORD_FILE}"
here=$(dirname "$0")

set -- -promscrape.config="${GONKA_SCRAPE_CONFIG:-$here/scrape.yml}" \
  -remoteWrite.url="$url" \
  -remoteWrite.basicAuth.username="$name" \
  -remoteWrite.basicAuth.passwordFile="$password_file" \
  -remoteWrite.label=host="$name" \
  -httpListenAddr="${GONKA_VMAGENT_LISTEN:-127.0.0.1:8429}" \
  "$@"
if [ -n "${GONKA_PARTICIPANT:-}" ]; then
  set -- -remoteWrite.label=participant="$GONKA_PARTICIPANT" "$@"
fi
exec "${VMAGENT:-vmagent}" "$@"
