#!/usr/bin/env bash
# The long soak: SoakIT (churn at every poll against the exporter jar, series counted against the
# simulated state after every step, heap after GC compared first third vs last third) for an hour,
# or for as many seconds as the first argument says. Run from anywhere:
#   exporter/src/test/soak/soak.sh          # 3600 s
#   exporter/src/test/soak/soak.sh 600
# The suite's own run (mvn verify) lasts 90 s.
set -euo pipefail
seconds=${1:-3600}
cd "$(dirname "$0")/../../../.."
mvn -B package -DskipTests -q
mvn -B verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SoakIT -Dgonka.soak.seconds="$seconds"
