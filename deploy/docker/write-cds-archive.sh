#!/bin/sh
# Writes the class-data-sharing archive of the exporter jar: the JVM starts the exporter (which
# exits as soon as it is up) and archives the classes it loaded. Start-up then takes about half
# the time and CPU. Run it with the JVM that will run the exporter (an archive only works with
# the JVM build that wrote it) and again after every upgrade of the jar or of the JVM; a JVM that
# cannot use an archive starts without it. Used by the image build, the systemd install and the
# Maven build (exporter/target/gonka-exporter.jsa, for exporter/bin/gonka-exporter).
#   sh write-cds-archive.sh JAR ARCHIVE        (JAVA=/path/to/java to pick another JVM)
set -eu
if [ $# -ne 2 ]; then
    echo "usage: write-cds-archive.sh JAR ARCHIVE" >&2
    exit 2
fi
jar=$1
archive=$2
# A service's JAVA_TOOL_OPTIONS (other flags, another archive) must not reach this start.
env -u JAVA_TOOL_OPTIONS "${JAVA:-java}" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -XX:+UseSerialGC -Dgonka.exit-after-start=true -Dmicronaut.server.port=-1 -Dmicronaut.server.host=127.0.0.1 \
    -Dgonka.nvml-enabled=false -Dlogger.levels.io.gonka.exporter.polling=ERROR -Dvertx.disableFileCPResolving=true \
    -jar "$jar"
chmod 0644 "$archive"
