#!/bin/sh
# Copies JNA's native dispatch library (libjnidispatch.so) for one architecture out of the
# shaded exporter jar into a directory. The JVM then loads it from there with
#   -Djna.boot.library.path=DIR -Djna.nounpack=true
# instead of unpacking it into a writable temp dir at run time, which a read-only root
# filesystem without a writable /tmp does not have.
#
# Usage: extract-jna.sh JAR DIR [ARCH]
#   ARCH: Docker's TARGETARCH (amd64, arm64) or a uname -m name (x86_64, aarch64);
#         default: this machine's uname -m.
# Used by deploy/docker/Dockerfile, the systemd install steps and ContainerRuntimeIT.
set -eu
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 JAR DIR [ARCH]" >&2
  exit 2
fi
jar_file=$1
dest=$2
arch=${3:-}
[ -n "$arch" ] || arch=$(uname -m)
case "$arch" in
  amd64|x86_64) prefix=linux-x86-64 ;;
  arm64|aarch64) prefix=linux-aarch64 ;;
  *) echo "extract-jna.sh: no JNA native library for architecture '$arch'" >&2; exit 1 ;;
esac
case "$jar_file" in
  /*) ;;
  *) jar_file=$(pwd)/$jar_file ;;
esac
[ -f "$jar_file" ] || { echo "extract-jna.sh: no such jar: $jar_file" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
entry=com/sun/jna/$prefix/libjnidispatch.so
# `jar` comes with every JDK (the Maven build image has one); unzip may not be installed.
(cd "$work" && jar xf "$jar_file" "$entry")
if [ ! -s "$work/$entry" ]; then
  echo "extract-jna.sh: $entry is not in $jar_file" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$work/$entry" "$dest/libjnidispatch.so"
chmod 0644 "$dest/libjnidispatch.so"
echo "extract-jna.sh: $entry -> $dest/libjnidispatch.so"
