#!/usr/bin/env bash
# Runs the JMH benchmarks, building them first when the jar is missing or older than a source;
# arguments go to JMH: a benchmark regex, -p size=256, -f 1 -wi 0 -i 1, -h for help.
# Results: benchmarks/results/jmh.json. See benchmarks/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jar=benchmarks/target/benchmarks.jar
if [[ ! -f $jar || ! -d benchmarks/target/lib ]] \
    || [[ -n $(find . -path '*/target' -prune -o \( -name '*.java' -o -name pom.xml \) -newer "$jar" -print -quit) ]]; then
  mvn -q -B -ntp -DskipTests -pl benchmarks -am package
fi
mkdir -p benchmarks/results
exec java -cp "$jar:benchmarks/target/lib/*" org.openjdk.jmh.Main -rf json -rff benchmarks/results/jmh.json "$@"
