#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2012
# (SC2016: the cases' commands are single-quoted on purpose; the bash -c that runs each expands it)
# Whole-process comparison of stasis with the limits of the machine, Dysnomia's way of storing a
# dump, restic and borg, on two PostgreSQL dumps made here, in one run. As root, on Debian:
#
#   benchmarks/compare.sh                                  # 1 GiB dumps, 3 runs after a warm-up
#   SIZE_MB=64 BIG_MB=256 RSS_MB=64 GENERATIONS=1000 RUNS=1 benchmarks/compare.sh  # a quick try
#
# Installs what is missing (apt-get), builds stasis, starts a throwaway PostgreSQL cluster on a unix
# socket in a temp dir, fills a pgbench and a "realistic mixed" database of about SIZE_MB each,
# dumps them, times every case on both dumps with GNU time (elapsed, max RSS), and writes
# benchmarks/results/compare.{md,tsv,png} plus compare-runs.tsv (every run). The table is printed at
# the end. Everything it started or wrote outside results/ is removed on exit, Ctrl-C included.
#
# Knobs (environment):
#   SIZE_MB=1024      size each database's dump aims at (MiB)
#   RUNS=3            timed runs per case, after one untimed warm-up run
#   RUNS_SLOW=1       runs of the slow cases (Dysnomia's xz way, stasis's xz, the real dysnomia-snapshots), no warm-up
#   RSS_MB=1024       BIG_MB=8192   sizes of the two random streams for stasis's peak memory (MiB)
#   GENERATIONS=10000 GEN_COMPONENTS=10   the generation store for --query-all and --gc
#   REAL_DYSNOMIA_SNAPSHOTS=/path   the real Dysnomia tool, timed beside stasis's when given
#   CASES=REGEX       run only the cases whose id matches (e.g. 'sha256|stasis'); default all
#                     CASES=chunk: only the chunked generations (issue 15) and the chunked streams
#   WORK_PARENT=/var/tmp   where the temp dir goes (needs 8 x SIZE_MB + BIG_MB + 2 GiB free,
#                          4 x SIZE_MB more for the chunked generations)
#   RESULTS_DIR=benchmarks/results
#
# The chunked generations (case ids with "chunk"): generation 1 is the pgbench dump; generation 2
# is a dump of a copy of the database (createdb -T) after an UPDATE of 1% of pgbench_accounts, once
# for a contiguous key range ("clustered") and once for rows picked at random ("random"). Each
# second ingest (stasis --compression chunked, restic, borg) goes into a store holding generation 1;
# the mirror sends generation 2 to S3 after generation 1 went there.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
RUNS_SLOW=${RUNS_SLOW:-1}
RSS_MB=${RSS_MB:-1024}
BIG_MB=${BIG_MB:-8192}
GENERATIONS=${GENERATIONS:-10000}
GEN_COMPONENTS=${GEN_COMPONENTS:-10}
REAL_DYSNOMIA_SNAPSHOTS=${REAL_DYSNOMIA_SNAPSHOTS:-}
CASES=${CASES:-.}
WORK_PARENT=${WORK_PARENT:-/var/tmp}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/benchmarks/results}
COMMAND_LINE="SIZE_MB=$SIZE_MB RUNS=$RUNS RUNS_SLOW=$RUNS_SLOW RSS_MB=$RSS_MB BIG_MB=$BIG_MB \
GENERATIONS=$GENERATIONS GEN_COMPONENTS=$GEN_COMPONENTS${REAL_DYSNOMIA_SNAPSHOTS:+ REAL_DYSNOMIA_SNAPSHOTS=$REAL_DYSNOMIA_SNAPSHOTS}\
$([ "$CASES" = . ] || printf " CASES='%s'" "$CASES") benchmarks/compare.sh"
# pgbench: one scale step dumps to ~9.57 MB; the mixed generator: ~652 customers per MiB of dump.
PGBENCH_BYTES_PER_SCALE=9573000
MIXED_ROWS_PER_MIB=652

exec {ERR}>&2   # messages go here even from a trap that fires inside a redirected command
say() { printf 'compare: %s\n' "$*" >&"$ERR"; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (installs packages, runs PostgreSQL as the postgres user)"

# --- what it needs -------------------------------------------------------------------------------
install_missing() {
  local missing=()
  need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
  need java openjdk-17-jdk-headless
  need mvn maven
  need python3 python3
  need restic restic
  need borg borgbackup
  need gnuplot gnuplot-nox
  need openssl openssl
  need xz xz-utils
  need zstd zstd
  need setsid util-linux
  need runuser util-linux
  [ -x /usr/bin/time ] || missing+=(time)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || missing+=(postgresql-contrib)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}
install_missing
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

STASIS=$ROOT/bin/stasis
SNAPSHOTS=$ROOT/bin/dysnomia-snapshots
"$STASIS" --version >/dev/null   # builds cli/target/stasis.jar on first use, not inside a timing

# The S3 server (dev.stasis.bench.S3Server) lives in the benchmarks module, when it is there.
S3_JAR=$ROOT/benchmarks/target/benchmarks.jar
S3_SOURCE=$ROOT/benchmarks/src/main/java/dev/stasis/bench/S3Server.java
s3_available() {
  [ -f "$S3_SOURCE" ] || return 1
  if [ ! -f "$S3_JAR" ] || [ -n "$(find "$ROOT/benchmarks/src" "$ROOT/benchmarks/pom.xml" -newer "$S3_JAR" -type f -print -quit)" ]; then
    say "building the benchmarks module (S3 server)"
    (cd "$ROOT" && mvn -q -B -ntp -DskipTests -pl benchmarks -am package >&2) || return 1
  fi
  [ -f "$S3_JAR" ]
}

# --- scratch space, and removing it whatever happens ---------------------------------------------
mkdir -p "$WORK_PARENT"
free_mb=$(df -Pm "$WORK_PARENT" | awk 'NR == 2 { print $4 }')
need_mb=$((8 * SIZE_MB + BIG_MB + 2048))   # the cluster, two dumps, a store or two, the big stream
[ "$free_mb" -ge "$need_mb" ] || die "$WORK_PARENT has $free_mb MiB free; this run needs about $need_mb (see WORK_PARENT)"
WORK=$(mktemp -d "$WORK_PARENT/stasis-compare.XXXXXX")
chmod 755 "$WORK"   # the postgres user must reach its data and socket dirs inside
PGDATA_DIR=$WORK/pg/data
PGSOCK=$WORK/pg/sock
PG_STARTED=
S3_PID=
S3_FD=
CHILD=

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$CHILD" ]; then kill -TERM -- "-$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
  if [ -n "$S3_PID" ]; then
    [ -n "$S3_FD" ] && exec {S3_FD}>&-   # stdin EOF: the server's way out
    kill -TERM "$S3_PID" 2>/dev/null; wait "$S3_PID" 2>/dev/null
  fi
  if [ -n "$PG_STARTED" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -m immediate stop >/dev/null 2>&1
  fi
  rm -rf "$WORK"
  [ "$rc" = 0 ] || say "stopped (exit $rc); removed $WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The stasis under test, pinned for the run: a copy of the launchers with the jar (and its class
# archive) built above, so that sources edited meanwhile neither rebuild it inside a timed case nor
# change what is measured halfway. The copy has no sources, so its launcher never rebuilds.
mkdir -p "$WORK/stasis/bin" "$WORK/stasis/cli/target"
cp -p "$ROOT/bin/launch" "$ROOT/bin/stasis" "$ROOT/bin/dysnomia-snapshots" "$WORK/stasis/bin/"
cp -p "$ROOT/cli/target/stasis.jar" "$ROOT"/cli/target/stasis.jsa* "$WORK/stasis/cli/target/" 2>/dev/null ||
  cp -p "$ROOT/cli/target/stasis.jar" "$WORK/stasis/cli/target/"
STASIS=$WORK/stasis/bin/stasis
SNAPSHOTS=$WORK/stasis/bin/dysnomia-snapshots

# Runs a command in its own process group and waits for it, so a trap can end it whole.
spawn() {
  setsid "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return "$rc"
}

# --- PostgreSQL: a cluster of its own, unix socket only ------------------------------------------
export PGHOST=$PGSOCK PGPORT=54329
start_postgres() {
  mkdir -p "$PGDATA_DIR" "$PGSOCK" "$WORK/pg/log"
  chown postgres "$PGDATA_DIR" "$PGSOCK" "$WORK/pg/log"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres -A peer -E UTF8 --no-sync >/dev/null
  # fsync off: only loading the test data writes; the cases read (pg_dump) and write elsewhere.
  PG_STARTED=1
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -w -l "$WORK/pg/log/server.log" \
    -o "-k $PGSOCK -c listen_addresses= -p $PGPORT -c fsync=off -c max_wal_size=8GB" start >/dev/null
}
pg() { runuser -u postgres -- "$@"; }

# Makes and dumps the databases named (pgbench, mixed): those the selected cases use.
make_databases() {
  local scale rows t0 db
  scale=$(( (SIZE_MB * 1048576 + PGBENCH_BYTES_PER_SCALE / 2) / PGBENCH_BYTES_PER_SCALE ))
  [ "$scale" -ge 1 ] || scale=1
  rows=$(( SIZE_MB * MIXED_ROWS_PER_MIB ))
  [ "$rows" -ge 100 ] || rows=100
  t0=$SECONDS
  mkdir -p "$WORK/dumps"
  for db; do
    case $db in
      pgbench)
        say "pgbench database, scale $scale"
        pg "$PGBIN/createdb" pgbench
        pg "$PGBIN/pgbench" -q -i -I dtGp -s "$scale" pgbench >/dev/null 2>&1 ;;
      mixed)
        say "mixed database, $rows customers (text, numbers, jsonb, bytea)"
        pg "$PGBIN/createdb" mixed
        pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -v rows="$rows" -d mixed -f - >/dev/null <"$ROOT/benchmarks/compare-mixed.sql" ;;
    esac
  done
  pg "$PGBIN/psql" -X -q -d postgres -c 'CHECKPOINT' >/dev/null
  for db; do
    pg "$PGBIN/pg_dump" "$db" >"$WORK/dumps/$db.pgsql"
  done
  say "databases made and dumped in $((SECONDS - t0)) s"
}

# The chunked generations' second dumps: a copy of the pgbench database (createdb -T: the same
# heap, so the same dump), 1% of pgbench_accounts updated, dumped, dropped. pg_dump 15.14 and later
# write a random key into the dump's \restrict and \unrestrict lines; the second dumps get the first's
# (--restrict-key), as stasis's postgresql module gives every dump of a component the same key.
#   clustered: the first 1% of the keys (aid <= rows / 100), the "recent rows changed" case;
#   random: each row with probability 1% (random() < 0.01 after setseed(0.15): the same rows every run).
# An updated row is a new tuple elsewhere in the heap (at its end here: pgbench's tables are full,
# fillfactor 100, and never vacuumed), so pg_dump's COPY, which follows the heap, leaves the old
# place empty and writes the new rows after the others: the change is a removal plus an append.
make_chunk_dumps() {
  local t0=$SECONDS free_mb need_mb rows v where out
  free_mb=$(df -Pm "$WORK_PARENT" | awk 'NR == 2 { print $4 }')
  need_mb=$((4 * SIZE_MB + 1024))
  [ "$free_mb" -ge "$need_mb" ] || die "$WORK_PARENT has $free_mb MiB free; the chunked generations need about $need_mb more"
  rows=$(pg "$PGBIN/psql" -X -At -d pgbench -c 'SELECT count(*) FROM pgbench_accounts')
  local key keyed=()
  key=$(head -n 20 "$WORK/dumps/pgbench.pgsql" | sed -n 's/^\\restrict \([A-Za-z0-9]*\)$/\1/p')
  [ -z "$key" ] || keyed=(--restrict-key="$key")
  for v in clustered random; do
    case $v in
      clustered) where="aid <= $((rows / 100))" ;;
      random) where='random() < 0.01' ;;
    esac
    pg "$PGBIN/createdb" -T pgbench "pgbench_$v"
    out=$(pg "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -d "pgbench_$v" -c 'SELECT setseed(0.15)' \
      -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE $where" | tail -n 1)
    pg "$PGBIN/pg_dump" "${keyed[@]}" "pgbench_$v" >"$WORK/dumps/pgbench-$v.pgsql"
    pg "$PGBIN/dropdb" "pgbench_$v"
    CHUNK_VARIANT[$v]="\`UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE $where\`: ${out#UPDATE } of $rows rows"
    say "generation 2, $v: ${CHUNK_VARIANT[$v]}"
  done
  say "second generations made and dumped in $((SECONDS - t0)) s"
}

# --- Dysnomia's way, as its postgresql-database module does it, in shell steps --------------------
# Dump to a temp file, xz it, name it by sha256sum of the .xz, move it into the store, then write
# the checksum (SHA-256 of `find .`, an empty line and the file: a second pass) and the generation.
dysnomia_way() {
  set -euo pipefail
  local db=$1 store=$2 tmp h dir
  tmp=$(mktemp -d "$store.tmp.XXXXXX")
  runuser -u postgres -- pg_dump "$db" >"$tmp/dump.pgsql"
  xz "$tmp/dump.pgsql"
  h=$(sha256sum "$tmp/dump.pgsql.xz" | cut -c1-64)
  dir=$store/snapshots/pg/$db
  mkdir -p "$dir/$h" "$store/checksums/pg/$db" "$store/generations/pg/$db"
  mv "$tmp/dump.pgsql.xz" "$dir/$h/"
  rmdir "$tmp"
  printf 'sha256:%s' "$( (cd "$dir/$h" && find . && echo && cat dump.pgsql.xz) | sha256sum | cut -c1-64)" \
    >"$store/checksums/pg/$db/$h"
  ln -s "../../../snapshots/pg/$db/$h" "$store/generations/pg/$db/1"
}
export -f dysnomia_way

# --- timing --------------------------------------------------------------------------------------
RAW=$WORK/runs.tsv
CASE_INFO=$WORK/cases.tsv
CASE_COMMANDS=$WORK/commands.tsv
METRICS=$WORK/metrics.tsv
printf 'group\tcase\trun\twall_s\tmax_rss_kib\tbytes\tstored_kib\texit\tcpu_s\n' >"$RAW"
printf 'group\tcase\trun\tkey\tvalue\n' >"$METRICS"
: >"$CASE_INFO"
: >"$CASE_COMMANDS"
RUN=$WORK/run
export RUN STASIS SNAPSHOTS

# bench GROUP ID LABEL KIND BYTES PREP CMD SIZED [POST]
#   KIND: fast (a warm-up, then RUNS), slow (RUNS_SLOW, no warm-up), once (1 run, no warm-up)
#   PREP, CMD, POST: bash snippets run with RUN (a fresh dir per run) and the group's variables in
#   the environment; PREP and POST are not timed. SIZED: path whose du is the stored size, or ''.
#   Lines "KEY VALUE" that PREP, CMD or POST append to $RUN/metrics go to compare-metrics.tsv.
#   With BENCH_LIST set it only prints the id, when selected.
bench() {
  local group=$1 id=$2 label=$3 kind=$4 bytes=$5 prep=$6 cmd=$7 sized=$8 post=${9:-}
  [[ $id =~ $CASES ]] || return 0
  if [ -n "${BENCH_LIST:-}" ]; then printf '%s\n' "$id"; return 0; fi
  local warm=0 runs=$RUNS
  case $kind in
    fast) warm=1 ;;
    slow) runs=$RUNS_SLOW ;;
    once) runs=1 ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "$id" "$label" "$kind" "$runs" "$warm" >>"$CASE_INFO"
  printf '%s\t%s\t%s\t%s\t%s\n' "$group" "$id" "$prep" "$cmd" "$post" >>"$CASE_COMMANDS"
  local i log=$WORK/log tf=$WORK/time rc wall rss user sys stored
  for ((i = 1 - warm; i <= runs; i++)); do
    say "$group: $id, run $i of $runs$([ "$i" = 0 ] && echo ' (warm-up)')"
    rm -rf "$RUN"
    mkdir -p "$RUN"
    export RUN_ID="$group-$id-$i"
    rc=0
    spawn bash -c "$prep" >/dev/null 2>"$log" || rc=$?
    sync   # what the preparation wrote is not charged to the timed run
    if [ "$rc" = 0 ]; then
      spawn /usr/bin/time -f '%e %M %U %S' -o "$tf" bash -c "$cmd" >/dev/null 2>"$log" || rc=$?
    fi
    if [ "$rc" != 0 ]; then
      say "$group: $id FAILED (exit $rc); its stderr ends:"
      tail -n 15 "$log" >&"$ERR"
      printf '%s\t%s\t%s\t\t\t%s\t\t%s\t\n' "$group" "$id" "$i" "$bytes" "$rc" >>"$RAW"
      break
    fi
    read -r wall rss user sys < <(tail -n 1 "$tf")
    stored=
    if [ -n "$sized" ]; then stored=$(du -sk "$(eval echo "$sized")" | cut -f1); fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t0\t%s\n' "$group" "$id" "$i" "$wall" "$rss" "$bytes" "$stored" \
      "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" >>"$RAW"
    if [ -n "$post" ]; then spawn bash -c "$post" >/dev/null 2>&1 || say "$group: $id: cleanup step failed"; fi
    if [ -f "$RUN/metrics" ]; then   # with a paired first ingest (see paired), this run's time over its
      awk -v OFS='\t' -v g="$group" -v c="$id" -v r="$i" -v w="$wall" -v u="$user" -v s="$sys" 'NF >= 2 {
        print g, c, r, $1, $2
        if ($1 == "gen1_wall_s" && $2 > 0) print g, c, r, "paired_wall_ratio", sprintf("%.3f", w / $2)
        if ($1 == "gen1_cpu_s" && $2 > 0) print g, c, r, "paired_cpu_ratio", sprintf("%.3f", (u + s) / $2) }' \
        "$RUN/metrics" >>"$METRICS"
    fi
  done
  rm -rf "$RUN"
}

# The cases on one dump file; DUMP, DB and DATASET are in the environment.
dump_cases() {
  local g=$DATASET b=0
  [ -n "${BENCH_LIST:-}" ] || b=$(stat -c %s "$DUMP")
  local snap='"$STASIS" snapshot --stdin -C pg -c "$DB" --name dump.pgsql --store "$RUN/store" <"$DUMP"'
  bench "$g" sha256 'openssl dgst -sha256 (limit)' fast "$b" : 'openssl dgst -sha256 "$DUMP"' ''
  bench "$g" cat-sync 'cat > file && sync (limit)' fast "$b" : 'cat "$DUMP" >"$RUN/out" && sync' ''
  bench "$g" pg_dump 'pg_dump > /dev/null (limit, live)' fast "$b" : \
    'runuser -u postgres -- pg_dump "$DB" >/dev/null' ''
  bench "$g" pg_dump-zstd 'pg_dump piped to zstd -3 > file (live)' fast "$b" : \
    'runuser -u postgres -- pg_dump "$DB" | zstd -3 -q >"$RUN/out.zst"' ''
  bench "$g" dysnomia-xz "Dysnomia's way: pg_dump > tmp, xz, sha256sum, mv (live)" slow "$b" : \
    'dysnomia_way "$DB" "$RUN/store"' '$RUN/store'
  bench "$g" restic 'restic backup --stdin' fast "$b" 'restic init -q -r "$RUN/repo"' \
    'restic backup -q --no-cache -r "$RUN/repo" --stdin --stdin-filename dump.pgsql <"$DUMP"' '$RUN/repo'
  bench "$g" restic-again 'restic backup --stdin, again (dedup)' fast "$b" \
    'restic init -q -r "$RUN/repo" && restic backup -q --no-cache -r "$RUN/repo" --stdin --stdin-filename dump.pgsql <"$DUMP"' \
    'restic backup -q --no-cache -r "$RUN/repo" --stdin --stdin-filename dump.pgsql <"$DUMP"' '$RUN/repo'
  bench "$g" borg 'borg create - (lz4)' fast "$b" 'borg init -e none "$RUN/repo"' \
    'borg create --stdin-name dump.pgsql "$RUN/repo::1" - <"$DUMP"' '$RUN/repo'
  bench "$g" borg-again 'borg create -, again (dedup)' fast "$b" \
    'borg init -e none "$RUN/repo" && borg create --stdin-name dump.pgsql "$RUN/repo::1" - <"$DUMP"' \
    'borg create --stdin-name dump.pgsql "$RUN/repo::2" - <"$DUMP"' '$RUN/repo'
  bench "$g" stasis 'stasis snapshot --stdin (zstd)' fast "$b" : "$snap" '$RUN/store'
  bench "$g" stasis-none 'stasis snapshot --stdin --compression none' fast "$b" : \
    "${snap/--stdin/--stdin --compression none}" '$RUN/store'
  bench "$g" stasis-xz 'stasis snapshot --stdin --compression xz' slow "$b" : \
    "${snap/--stdin/--stdin --compression xz}" '$RUN/store'
  bench "$g" stasis-again 'stasis snapshot --stdin, again (dedup)' fast "$b" "$snap" "$snap" '$RUN/store'
  bench "$g" stasis-again-end 'stasis snapshot --stdin, again with a line added at the end' fast "$b" "$snap" \
    "{ cat \"\$DUMP\"; echo '-- one more line'; } | ${snap% <*}" '$RUN/store'
  bench "$g" stasis-live 'stasis snapshot -C postgresql (module, live)' fast "$b" : \
    '"$STASIS" snapshot -C "$PG_CONTAINER" -c "$COMPONENTS/$DB" --store "$RUN/store"' '$RUN/store'
  if [ -n "$S3_URL" ] || [ -n "${BENCH_LIST:-}" ]; then
    bench "$g" stasis-mirror-s3 'stasis mirror of the zstd snapshot to S3 (loopback S3Mock)' fast "$b" "$snap" \
      '"$STASIS" mirror --from "$RUN/store" --to "s3://bench/$RUN_ID" --endpoint "$S3_URL" --path-style' \
      '$RUN/store' \
      '"$STASIS" gc --keep 0 --store "s3://bench/$RUN_ID" --endpoint "$S3_URL" --path-style'
  fi
}

# The chunked generations (see make_chunk_dumps), on GEN1 and GEN2_clustered, GEN2_random.
# Every case's POST records the bytes of its store or repository (du -sb, as files are, not blocks)
# and, after a stasis ingest, the counts of the generation it made; the mirror's POST the bytes the
# mirror reports sent and how much S3Mock's storage grew.
chunk_metrics() {
  local dir=$1 snap
  printf 'store_bytes %s\n' "$(du -sb "$dir" | cut -f1)" >>"$RUN/metrics"
  [ -s "$RUN/out" ] || return 0
  snap=$(tail -n 1 "$RUN/out")
  sed -n 's/^attr\.\(chunks\|new-chunks\|new-bytes\)=/\1 /p; s/^\(stored-size\|logical-size\)=/\1 /p' \
    "$dir/.stasis/meta/$snap" >>"$RUN/metrics"
}
s3_mark() { [ -z "$S3_ROOT" ] || du -sb "$S3_ROOT" | cut -f1 >"$RUN/s3-before"; }
# Runs a generation-2 case's first ingest (in its untimed preparation) under GNU time, so that every
# timed second ingest has a first one timed just before it, under the same load on the machine;
# bench records the run's time over it (paired_wall_ratio, paired_cpu_ratio).
paired() {
  local rc=0 w u s
  /usr/bin/time -f '%e %U %S' -o "$RUN/gen1.time" "$@" || rc=$?
  read -r w u s < <(tail -n 1 "$RUN/gen1.time")
  printf 'gen1_wall_s %s\ngen1_cpu_s %s\n' "$w" "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')" >>"$RUN/metrics"
  return "$rc"
}
mirror_metrics() {
  python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); print("sent_bytes", m["bytes"]); print("sent_snapshots", m["sent"])' \
    "$RUN/mirror.json" >>"$RUN/metrics"
  if [ -f "$RUN/s3-before" ]; then
    printf 's3_growth_bytes %s\n' "$(( $(du -sb "$S3_ROOT" | cut -f1) - $(cat "$RUN/s3-before") ))" >>"$RUN/metrics"
  fi
  "$STASIS" gc --keep 0 --store "s3://bench/$RUN_ID" --endpoint "$S3_URL" --path-style
}
export -f chunk_metrics s3_mark paired mirror_metrics

chunk_cases() {
  local g=chunked b1=0 b2=0 v
  [ -n "${BENCH_LIST:-}" ] || b1=$(stat -c %s "$GEN1")
  local csnap='"$STASIS" snapshot --stdin --compression chunked -C pg -c pgbench --name dump.pgsql --store "$RUN/store"'
  local zsnap='"$STASIS" snapshot --stdin -C pg -c pgbench --name dump.pgsql --store "$RUN/store"'
  local restic='restic backup -q --no-cache -r "$RUN/repo" --stdin --stdin-filename dump.pgsql'
  local borg='borg create --stdin-name dump.pgsql "$RUN/repo::'
  local mirror='"$STASIS" mirror --from "$RUN/store" --to "s3://bench/$RUN_ID" --endpoint "$S3_URL" --path-style'
  bench "$g" chunk-sha256 'openssl dgst -sha256 of generation 1 (limit)' fast "$b1" : 'openssl dgst -sha256 "$GEN1"' ''
  bench "$g" chunk-zstd-gen1 'stasis snapshot --stdin (zstd, not chunked), generation 1 (reference)' fast "$b1" : \
    "$zsnap <\"\$GEN1\" >\"\$RUN/out\"" '$RUN/store' 'chunk_metrics "$RUN/store"'
  bench "$g" chunk-gen1 'stasis snapshot --stdin --compression chunked, generation 1 into an empty store' fast "$b1" : \
    "$csnap <\"\$GEN1\" >\"\$RUN/out\"" '$RUN/store' 'chunk_metrics "$RUN/store"'
  bench "$g" chunk-restic-gen1 'restic backup --stdin, generation 1' fast "$b1" 'restic init -q -r "$RUN/repo"' \
    "$restic <\"\$GEN1\"" '$RUN/repo' 'chunk_metrics "$RUN/repo"'
  bench "$g" chunk-borg-gen1 'borg create - (lz4), generation 1' fast "$b1" 'borg init -e none "$RUN/repo"' \
    "${borg}1\" - <\"\$GEN1\"" '$RUN/repo' 'chunk_metrics "$RUN/repo"'
  if [ -n "$S3_URL" ] || [ -n "${BENCH_LIST:-}" ]; then
    bench "$g" chunk-mirror-gen1 'stasis mirror of chunked generation 1 to S3 (empty prefix, loopback S3Mock)' fast "$b1" \
      "$csnap <\"\$GEN1\" && s3_mark" "$mirror --json >\"\$RUN/mirror.json\"" '$RUN/store' 'mirror_metrics'
  fi
  for v in clustered random; do
    local gen2=GEN2_$v
    [ -n "${BENCH_LIST:-}" ] || b2=$(stat -c %s "${!gen2}")
    bench "$g" "chunk-$v-gen2" "stasis snapshot --stdin --compression chunked, generation 2 ($v) onto generation 1" fast "$b2" \
      "paired $csnap <\"\$GEN1\"" "$csnap <\"\$GEN2_$v\" >\"\$RUN/out\"" '$RUN/store' 'chunk_metrics "$RUN/store"'
    bench "$g" "chunk-restic-$v-gen2" "restic backup --stdin, generation 2 ($v) onto generation 1" fast "$b2" \
      "restic init -q -r \"\$RUN/repo\" && paired $restic <\"\$GEN1\"" "$restic <\"\$GEN2_$v\"" '$RUN/repo' \
      'chunk_metrics "$RUN/repo"'
    bench "$g" "chunk-borg-$v-gen2" "borg create - (lz4), generation 2 ($v) onto generation 1" fast "$b2" \
      "borg init -e none \"\$RUN/repo\" && paired ${borg}1\" - <\"\$GEN1\"" "${borg}2\" - <\"\$GEN2_$v\"" '$RUN/repo' \
      'chunk_metrics "$RUN/repo"'
    if [ -n "$S3_URL" ] || [ -n "${BENCH_LIST:-}" ]; then
      bench "$g" "chunk-mirror-$v-gen2" "stasis mirror of chunked generation 2 ($v) to S3 after generation 1" fast "$b2" \
        "$csnap <\"\$GEN1\" && $mirror && $csnap <\"\$GEN2_$v\" && s3_mark" \
        "$mirror --json >\"\$RUN/mirror.json\"" '$RUN/store' 'mirror_metrics'
    fi
  done
}

# --- summary and output --------------------------------------------------------------------------
# One line per case: group case label kind runs warm bytes median min max MiB/s ratio rss stored status
summarize() {
  awk -F'\t' -v OFS='\t' '
    FNR == NR { label[$1 SUBSEP $2] = $3; kind[$1 SUBSEP $2] = $4; runs[$1 SUBSEP $2] = $5
                warm[$1 SUBSEP $2] = $6; order[++n] = $1 SUBSEP $2; next }
    FNR == 1 { next }
    { k = $1 SUBSEP $2; bytes[k] = $6
      if ($8 != 0) { failed[k] = $8; next }
      if ($3 < 1) next                                   # the warm-up
      w[k, ++cnt[k]] = $4; if ($5 > rss[k]) rss[k] = $5; stored[k] = $7 }
    function median(k,   i, j, t, m, a) {
      m = cnt[k]; for (i = 1; i <= m; i++) a[i] = w[k, i]
      for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      lo[k] = a[1]; hi[k] = a[m]
      return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
    END {
      for (i = 1; i <= n; i++) { k = order[i]; if (cnt[k]) med[k] = median(k) }
      for (i = 1; i <= n; i++) {
        k = order[i]; split(k, gk, SUBSEP)
        # the ratio compares with sha256 of the same bytes; generations with the real Dysnomia tool
        if (gk[1] == "generations") base = gk[1] SUBSEP "real-" (gk[2] == "gc-dry" ? "gc" : gk[2])
        else if (gk[1] == "chunked") base = gk[1] SUBSEP "chunk-sha256"
        else if (match(gk[2], /-[0-9]+$/)) base = gk[1] SUBSEP "sha256" substr(gk[2], RSTART)
        else base = gk[1] SUBSEP "sha256"
        mibps = ""; ratio = ""
        if (cnt[k] && bytes[k] > 0 && med[k] > 0) mibps = sprintf("%.1f", bytes[k] / 1048576 / med[k])
        if (cnt[k] && med[base] > 0 && med[k] > 0) ratio = sprintf("%.2f", med[base] / med[k])
        status = k in failed ? "failed (exit " failed[k] ")" : (cnt[k] ? "ok" : "no runs")
        print gk[1], gk[2], label[k], kind[k], cnt[k] + 0, warm[k], bytes[k],
              cnt[k] ? med[k] : "", cnt[k] ? lo[k] : "", cnt[k] ? hi[k] : "", mibps, ratio,
              rss[k] != "" ? sprintf("%.0f", rss[k] / 1024) : "", stored[k] != "" ? sprintf("%.1f", stored[k] / 1024) : "",
              status } }' "$CASE_INFO" "$RAW"
}

# A Markdown table of one group from the summary; $2: what the ratio column compares with.
table() {
  local group=$1 ratio_head=$2
  printf '| case | MiB/s | %s | wall s, median (min–max) | peak RSS MiB | stored MiB | runs |\n' "$ratio_head"
  printf '|---|--:|--:|--:|--:|--:|---|\n'
  awk -F'\t' -v g="$group" -v slow="$RUNS_SLOW" '
    $1 == g {
      runs = $5 ($6 == 1 ? " + warm-up" : ($4 == "slow" ? " (RUNS_SLOW, no warm-up)" : ""))
      if ($15 != "ok") { printf "| %s | %s | | | | | %s |\n", $3, $15, runs; next }
      spread = $9 == $10 ? sprintf("%.2f", $8) : sprintf("%.2f (%.2f–%.2f)", $8, $9, $10)
      printf "| %s | %s | %s | %s | %s | %s | %s |\n", $3, $11 == "" ? "—" : $11, $12 == "" ? "—" : $12,
        spread, $13, $14 == "" ? "—" : $14, runs }' "$SUMMARY"
}

machine_header() {
  local cpu mem
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "# stasis: whole-process comparison"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); stasis $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
  echo "- machine: $(nproc) CPUs ($cpu), $mem RAM, $(uname -sr), work dir on $(df -T "$WORK_PARENT" | awk 'NR == 2 { print $2 }')"
  echo "- command: \`$COMMAND_LINE\`"
  echo "- load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $LOAD_END"
  echo "- tools: $(psql --version | head -1); restic $(restic version | awk '{ print $2 }'); $(borg --version); $(xz --version | head -1); $(zstd --version | sed 's/^\*\*\* //; s/, by.*//'); $(openssl version | cut -d' ' -f1-2); $(java -version 2>&1 | head -1)"
}

write_results() {
  mkdir -p "$RESULTS_DIR"
  SUMMARY=$RESULTS_DIR/compare.tsv
  { printf 'group\tcase\tlabel\tkind\truns\twarmup\tbytes\twall_median_s\twall_min_s\twall_max_s\tmib_per_s\tratio_to_sha256\tpeak_rss_mib\tstored_mib\tstatus\n'
    summarize; } >"$SUMMARY.tmp"
  mv "$SUMMARY.tmp" "$SUMMARY"
  cp "$RAW" "$RESULTS_DIR/compare-runs.tsv"
  cp "$METRICS" "$RESULTS_DIR/compare-metrics.tsv"
  # each metric's median over a case's timed runs (the warm-up left out), in the same columns
  METRIC_MEDIANS=$WORK/metric-medians.tsv
  awk -F'\t' -v OFS='\t' 'NR == 1 { print; next } $3 >= 1 { k = $1 SUBSEP $2 SUBSEP $4; if (!(k in n)) order[++keys] = k; v[k, ++n[k]] = $5 }
    END { for (i = 1; i <= keys; i++) { k = order[i]; c = n[k]
        for (a = 1; a <= c; a++) x[a] = v[k, a]
        for (a = 2; a <= c; a++) { t = x[a]; for (b = a - 1; b >= 1 && x[b] + 0 > t + 0; b--) x[b + 1] = x[b]; x[b + 1] = t }
        split(k, f, SUBSEP); print f[1], f[2], "median", f[3], c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2 } }' \
    "$METRICS" >"$METRIC_MEDIANS"
  local md=$RESULTS_DIR/compare.md
  {
    machine_header
    echo
    echo "Wall time and peak RSS by GNU time (\`/usr/bin/time -f '%e %M %U %S'\`) around each whole command:"
    echo "JVM start-up included; peak RSS is that of the largest single process of the command (the"
    echo "CPU time, user + system of all its processes, is in compare-runs.tsv). MiB/s is"
    echo "of the dump file's size; × sha256 is \`openssl dgst -sha256\` of the same file's median wall"
    echo "time over the case's (above 1: faster than hashing the file once). The dump files are in the"
    echo "page cache. Stored MiB: \`du\` of the store or repository after the run. Each run starts"
    echo "from a fresh store/repository (repository init and the first run of an \"again\" case are"
    echo "not timed). restic: repository v2, default compression, \`--no-cache\`; borg: default lz4,"
    echo "\`-e none\`; stasis: default zstd unless said. Dysnomia's way is live (pg_dump from the"
    echo "database, as its module does), so is \`stasis snapshot -C\`. The S3 mirror pushes the stored"
    echo "(zstd) snapshot to a fresh prefix; its stored MiB is that of the store pushed from."
    for ds in pgbench mixed; do
      [ -n "${DUMP_INFO[$ds]:-}" ] || continue
      echo
      echo "## $ds: ${DUMP_INFO[$ds]}"
      echo
      table "$ds" '× sha256'
    done
    if grep -q '^chunked	' "$CASE_INFO"; then chunk_section; fi
    if grep -q '^generations	' "$CASE_INFO"; then
      echo
      echo "## $GENERATIONS generations ($GEN_COMPONENTS components, one tiny snapshot each)"
      echo
      echo "\`--gc --keep 1\` runs on a fresh copy of the store each time; × real Dysnomia: the real tool's median"
      echo "wall time over stasis's (the dry run compared with the real gc, which has none)."
      echo
      table generations '× real Dysnomia'
    fi
    if grep -q '^stream	' "$CASE_INFO"; then
      echo
      echo "## stasis peak memory: random streams, \`--compression none\` and \`chunked\`"
      echo
      echo "The stream: \`openssl enc -aes-128-ctr </dev/zero | head -c N\`; × sha256 compares with"
      echo "\`openssl dgst -sha256\` of the same stream. The chunked ingest compresses every chunk (zstd;"
      echo "random bytes do not shrink) and writes it to the store's chunks."
      echo
      table stream '× sha256'
    fi
    targets
    echo
    echo "## The cases' commands"
    echo
    echo "Run by \`bash -c\` with DUMP (the dump file), DB (its database), RUN (a fresh directory per"
    echo "run), STASIS and SNAPSHOTS (\`bin/stasis\`, \`bin/dysnomia-snapshots\`) and PGHOST/PGPORT set;"
    echo "the chunked generations' dumps in GEN1, GEN2_clustered and GEN2_random, the S3 server in S3_URL."
    echo "\`dysnomia_way\`, \`paired\`, \`chunk_metrics\`, \`s3_mark\` and \`mirror_metrics\` are functions in"
    echo "compare.sh. Untimed preparation in brackets; after a ⇒, the untimed step after the run."
    echo
    awk -F'\t' '!seen[$2]++ { printf "- `%s`: `%s`%s%s\n", $2, $4, $3 == ":" ? "" : " [`" $3 "`]", $5 == "" ? "" : " ⇒ `" $5 "`" }' \
      "$CASE_COMMANDS"
  } >"$md"
  plot
}

# The chunked generations' section of compare.md: the dumps, the variants, the cases' table, and
# two tables of generation 2 against generation 1 from the medians and the metrics.
chunk_section() {
  local d v
  echo
  echo "## Chunked generations: pgbench, 1% of pgbench_accounts updated"
  echo
  echo "Generation 1 is the pgbench dump. Each generation 2 is the dump of a copy of the database"
  echo "(\`createdb -T pgbench\`: the same heap) after one UPDATE of 1% of pgbench_accounts, then"
  echo "dropped. The two variants:"
  echo
  for v in clustered random; do
    [ -n "${CHUNK_VARIANT[$v]:-}" ] && echo "- **$v**: ${CHUNK_VARIANT[$v]}"
  done
  echo
  echo "**clustered** is a contiguous key range (\"the recent rows changed\"); **random** spreads the"
  echo "same number of changed rows over the whole table: \`random() < 0.01\` after \`setseed(0.15)\`,"
  echo "the same rows on every run: some 200 of the some 20,000 rows of every 2 MiB chunk."
  echo "PostgreSQL writes an updated row as a new tuple elsewhere in the heap, here at the"
  echo "table's end (its pages are full, fillfactor 100, and nothing vacuumed), and pg_dump's COPY"
  echo "follows the heap: in generation 2 the updated rows are missing from their old places and come"
  echo "after all the others, at the end of pgbench_accounts' COPY block. So the dump changes by a"
  echo "removal (one stretch, or one row in a hundred everywhere) plus a 1% append, not in place."
  printf '%s\n' "pg_dump (15.14 and later) writes a random key into the dump's \`\\restrict\` line near its" \
    "top and \`\\unrestrict\` line at its end; the second dumps are made with the first's" \
    "(\`--restrict-key\`), as stasis's postgresql module gives every dump of a component the same key" \
    "(a plain \`pg_dump | restic backup --stdin\` would change the first and last chunk every time)."
  echo
  for d in "${CHUNK_DUMPS[@]}"; do echo "- $d"; done
  echo
  echo "Each generation-2 case starts from a fresh store or repository into which generation 1 went"
  echo "first (untimed); the mirror case mirrored generation 1 to a fresh S3 prefix first, then"
  echo "ingested generation 2 (untimed) and times the mirror that sends it. Store sizes below are"
  echo "\`du -sb\` (the files' bytes, not their blocks) of the whole store or repository; the"
  echo "table's *stored MiB* is \`du\` (blocks), as in the other tables."
  echo
  table chunked '× sha256'
  echo
  echo "### Generation 2 against generation 1"
  echo
  echo "Wall times are medians of the cases above; so is the CPU time (user + system, by GNU time, of"
  echo "all the command's processes), which another load on the machine changes less. *Paired*: each"
  echo "generation-2 run's time over that of the generation-1 ingest of its own preparation, timed"
  echo "seconds before it (the median of those ratios), which a load that comes and goes during the"
  echo "run changes least. Store sizes: \`du -sb\` after the generation."
  echo
  echo "| tool | generation 2 | gen 1 s | gen 2 s | gen 2 / gen 1 | paired, wall | paired, CPU | CPU s, gen 1 / gen 2 | peak RSS MiB, gen 1 / gen 2 | store after gen 1, MiB | after gen 2, MiB | × |"
  echo "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
  awk -F'\t' -f - <<'AWK' "$SUMMARY" "$METRIC_MEDIANS" "$RAW"
    FNR == 1 { part++; next }
    $1 != "chunked" { next }
    part == 1 { if ($15 == "ok") { med[$2] = $8; rss[$2] = $13 }; next }
    part == 2 { m[$2, $4] = $5; next }
    part == 3 { if ($3 >= 1 && $8 == 0 && $9 != "") cpu[$2, ++n[$2]] = $9 }
    function mib(x) { return x == "" ? "—" : sprintf("%.2f", x / 1048576) }
    function num(x, f) { return x == "" ? "—" : sprintf(f, x) }
    function median(k,   i, j, t, c, a) {
      c = n[k]; if (!c) return ""
      for (i = 1; i <= c; i++) a[i] = cpu[k, i]
      for (i = 2; i <= c; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2 }
    function row(name, v, a, b,    r, s) {
      r = med[a] > 0 && med[b] != "" ? sprintf("%.2f", med[b] / med[a]) : "—"
      s = m[a, "store_bytes"] > 0 && m[b, "store_bytes"] != "" ? sprintf("%.3f", m[b, "store_bytes"] / m[a, "store_bytes"]) : "—"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s | %s |\n", name, v, num(med[a], "%.2f"), num(med[b], "%.2f"), r,
        num(m[b, "paired_wall_ratio"], "%.2f"), num(m[b, "paired_cpu_ratio"], "%.2f"),
        num(median(a), "%.2f"), num(median(b), "%.2f"), num(rss[a], "%s"), num(rss[b], "%s"),
        mib(m[a, "store_bytes"]), mib(m[b, "store_bytes"]), s }
    END {
      split("clustered random", vs, " ")
      for (i = 1; i <= 2; i++) row("stasis, chunked", vs[i], "chunk-gen1", "chunk-" vs[i] "-gen2")
      for (i = 1; i <= 2; i++) row("restic", vs[i], "chunk-restic-gen1", "chunk-restic-" vs[i] "-gen2")
      for (i = 1; i <= 2; i++) row("borg (lz4)", vs[i], "chunk-borg-gen1", "chunk-borg-" vs[i] "-gen2")
      printf "| stasis, zstd (not chunked) | — | %s | — | — | — | — | %s / — | %s / — | %s | — | — |\n", num(med["chunk-zstd-gen1"], "%.2f"),
        num(median("chunk-zstd-gen1"), "%.2f"), num(rss["chunk-zstd-gen1"], "%s"), mib(m["chunk-zstd-gen1", "store_bytes"])
    }
AWK
  echo
  echo "### What stasis stored and sent for each generation"
  echo
  echo "From the generation's metadata (\`attr.chunks\`, \`attr.new-chunks\`, \`attr.new-bytes\`: logical"
  echo "bytes of the chunks the store lacked; \`stored-size\`: what the generation added to the store),"
  echo "and the mirror's \`--json\` summary (\`bytes\`: what it sent) and the growth of S3Mock's storage"
  echo "(objects and their metadata files). Percentages are of the generation's dump (logical bytes)."
  echo
  echo "| generation | chunks | new chunks | new logical MiB (%) | stored-size, MiB | mirror sent, MiB (%) | S3 grew, MiB | mirror s |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|"
  awk -F'\t' -f - <<'AWK' "$SUMMARY" "$METRIC_MEDIANS"
    FNR == 1 { part++; next }
    $1 != "chunked" { next }
    part == 1 { bytes[$2] = $7; if ($15 == "ok") med[$2] = $8; next }
    { m[$2, $4] = $5 }
    function pct(x, n) { return x == "" ? "—" : n > 0 ? sprintf("%.2f (%.2f%%)", x / 1048576, 100 * x / n) : sprintf("%.2f", x / 1048576) }
    function mib(x) { return x == "" ? "—" : sprintf("%.2f", x / 1048576) }
    function row(name, c, mc,    n) {
      n = bytes[c]
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name, m[c, "chunks"] == "" ? "—" : m[c, "chunks"],
        m[c, "new-chunks"] == "" ? "—" : m[c, "new-chunks"], pct(m[c, "new-bytes"], n), mib(m[c, "stored-size"]),
        pct(m[mc, "sent_bytes"], n), mib(m[mc, "s3_growth_bytes"]), med[mc] == "" ? "—" : sprintf("%.2f", med[mc]) }
    END {
      row("1, into an empty store", "chunk-gen1", "chunk-mirror-gen1")
      row("2, clustered, onto 1", "chunk-clustered-gen2", "chunk-mirror-clustered-gen2")
      row("2, random, onto 1", "chunk-random-gen2", "chunk-mirror-random-gen2")
    }
AWK
}

# The targets of the speed issues, each from this run's medians: a ratio of two cases' wall
# times (the first over the second), a case's wall time, or the largest peak RSS of some cases.
TARGETS="zstd ingest / openssl dgst;ratio;pgbench;stasis;sha256;>=;0.75
zstd ingest / openssl dgst;ratio;mixed;stasis;sha256;>=;0.35
first backup, stasis / restic;ratio;mixed;stasis;restic;>=;2
first backup, stasis / borg;ratio;mixed;stasis;borg;>=;1.5
raw ingest / cat > f && sync;ratio;pgbench;stasis-none;cat-sync;>=;0.65
raw ingest / cat > f && sync;ratio;mixed;stasis-none;cat-sync;>=;0.65
live snapshot / pg_dump > /dev/null;time-ratio;pgbench;stasis-live;pg_dump;<=;1.15
live snapshot / pg_dump > /dev/null;time-ratio;mixed;stasis-live;pg_dump;<=;1.15
live snapshot / pg_dump piped to zstd -3;time-ratio;pgbench;stasis-live;pg_dump-zstd;<=;1
live snapshot / pg_dump piped to zstd -3;time-ratio;mixed;stasis-live;pg_dump-zstd;<=;1
dedup re-run / first run;time-ratio;mixed;stasis-again;stasis;<=;0.5
dedup re-run / first run;time-ratio;pgbench;stasis-again;stasis;<=;0.5
re-run with a line added at the end / first run;time-ratio;mixed;stasis-again-end;stasis;<=;
xz snapshot / Dysnomia's pg_dump, xz;time-ratio;pgbench;stasis-xz;dysnomia-xz;<=;1
xz snapshot / Dysnomia's pg_dump, xz;time-ratio;mixed;stasis-xz;dysnomia-xz;<=;1
query-all, 10,000 generations (s);time;generations;query-all;;<=;0.5
gc --keep 1, 9,990 snapshots deleted (s);time;generations;gc;;<=;3
gc / rm -rf of the same store;time-ratio;generations;gc;rm-rf;<=;
peak RSS of every stasis ingest (MiB);rss;pgbench mixed stream;^stasis(-none|-live|-again|-again-end|-[0-9]+)?$;;<=;100
peak RSS of stasis mirror to S3 (MiB);rss;pgbench mixed;^stasis-mirror-s3$;;<=;100
chunked: generation 2 (clustered) / generation 1, wall time, paired;metric;chunked;chunk-clustered-gen2:paired_wall_ratio;;<=;0.6
chunked: generation 2 (random) / generation 1, wall time, paired;metric;chunked;chunk-random-gen2:paired_wall_ratio;;<=;0.6
chunked: generation 2 (clustered) / generation 1, CPU time, paired;metric;chunked;chunk-clustered-gen2:paired_cpu_ratio;;<=;
chunked: generation 2 (random) / generation 1, CPU time, paired;metric;chunked;chunk-random-gen2:paired_cpu_ratio;;<=;
chunked generation 1 / zstd generation 1, wall time;time-ratio;chunked;chunk-gen1;chunk-zstd-gen1;<=;
chunked: store after gen 2 (clustered) / after gen 1;metric-ratio;chunked;chunk-clustered-gen2:store_bytes;chunk-gen1:store_bytes;<=;1.1
chunked: store after gen 2 (random) / after gen 1;metric-ratio;chunked;chunk-random-gen2:store_bytes;chunk-gen1:store_bytes;<=;1.1
restic: repository after gen 2 (clustered) / after gen 1;metric-ratio;chunked;chunk-restic-clustered-gen2:store_bytes;chunk-restic-gen1:store_bytes;<=;
restic: repository after gen 2 (random) / after gen 1;metric-ratio;chunked;chunk-restic-random-gen2:store_bytes;chunk-restic-gen1:store_bytes;<=;
borg: repository after gen 2 (clustered) / after gen 1;metric-ratio;chunked;chunk-borg-clustered-gen2:store_bytes;chunk-borg-gen1:store_bytes;<=;
borg: repository after gen 2 (random) / after gen 1;metric-ratio;chunked;chunk-borg-random-gen2:store_bytes;chunk-borg-gen1:store_bytes;<=;
mirror of gen 2 (clustered) after gen 1: bytes sent, % of the dump;metric-pct;chunked;chunk-mirror-clustered-gen2:sent_bytes;;<=;5
mirror of gen 2 (random) after gen 1: bytes sent, % of the dump;metric-pct;chunked;chunk-mirror-random-gen2:sent_bytes;;<=;5
peak RSS of every chunked ingest (MiB);rss;chunked stream;^(chunk-(gen1|clustered-gen2|random-gen2)|stasis-chunked-[0-9]+)$;;<=;100
peak RSS of the chunked ingest, $BIG_MB MiB / $RSS_MB MiB stream (flat);rss-ratio;stream;stasis-chunked-$BIG_MB;stasis-chunked-$RSS_MB;<=;1.1"

# The targets of the speed issues from this run's medians. ratio: the second case's wall time
# over the first's (throughput, higher is better); time-ratio: the first's over the second's
# (lower is better); time: the case's wall time; rss: the largest peak RSS of the matching cases;
# rss-ratio: the first case's peak RSS over the second's; metric: a metric of a case (CASE:KEY, see
# bench; the median of its runs); metric-ratio: one over another; metric-pct: one in % of the case's
# dump bytes.
targets() {
  echo
  echo "## Targets"
  echo
  echo "Each from this run's medians: a throughput ratio is the reference's wall time over the"
  echo "case's (higher is better), a time ratio the case's over the reference's (lower is better)."
  echo
  echo "| what | dump | measured | target | met |"
  echo "|---|---|--:|--:|---|"
  printf '%s\n' "$TARGETS" | awk -F';' 'FNR == 1 { part++ }
    part == 1 { if (FNR > 1) { split($0, f, "\t"); key = f[1] SUBSEP f[2]
      med[key] = f[15] == "ok" ? f[8] : ""; rss[key] = f[13]; bytes[key] = f[7] }; next }
    part == 2 { if (FNR > 1) { split($0, f, "\t"); metric[f[1] SUBSEP f[2] SUBSEP f[4]] = f[5] }; next }
    function m(g, ck,   p) { split(ck, p, ":"); return metric[g SUBSEP p[1] SUBSEP p[2]] }
    { what = $1; kind = $2; n = split($3, groups, " "); a = $4; b = $5; op = $6; goal = $7
      value = ""; where = $3; x = med[groups[1] SUBSEP a]; y = med[groups[1] SUBSEP b]
      if (kind == "ratio" && x > 0 && y != "") value = sprintf("%.2f", y / x)
      if (kind == "time-ratio" && x != "" && y > 0) value = sprintf("%.2f", x / y)
      if (kind == "time" && x != "") value = sprintf("%.2f", x)
      if (kind == "rss-ratio" && rss[groups[1] SUBSEP a] != "" && rss[groups[1] SUBSEP b] > 0)
        value = sprintf("%.2f", rss[groups[1] SUBSEP a] / rss[groups[1] SUBSEP b])
      if (kind == "metric" && m(groups[1], a) != "") value = sprintf("%.2f", m(groups[1], a))
      if (kind == "metric-ratio" && m(groups[1], a) != "" && m(groups[1], b) > 0)
        value = sprintf("%.3f", m(groups[1], a) / m(groups[1], b))
      if (kind == "metric-pct") { split(a, ca, ":")
        if (m(groups[1], a) != "" && bytes[groups[1] SUBSEP ca[1]] > 0)
          value = sprintf("%.2f", 100 * m(groups[1], a) / bytes[groups[1] SUBSEP ca[1]]) }
      if (kind == "rss") { where = "all"; for (k in rss) { split(k, gk, SUBSEP)
          for (i = 1; i <= n; i++) if (gk[1] == groups[i] && gk[2] ~ a && rss[k] != "" && rss[k] + 0 > value + 0) value = rss[k] } }
      met = value == "" ? "not run" : goal == "" ? "—" : (op == ">=" ? value + 0 >= goal + 0 : value + 0 <= goal + 0) ? "yes" : "no"
      printf "| %s | %s | %s | %s | %s |\n", what, where, value == "" ? "—" : value, goal == "" ? "—" : op " " goal, met
    }' "$SUMMARY" "$METRIC_MEDIANS" -
}

plot() {
  local data=$WORK/plot.dat
  awk -F'\t' -v OFS='\t' '
    $1 == "pgbench" || $1 == "mixed" { if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }; v[$1, $2] = $11 }
    END { for (i = 1; i <= n; i++) print order[i], v["pgbench", order[i]] == "" ? "-" : v["pgbench", order[i]],
                                               v["mixed", order[i]] == "" ? "-" : v["mixed", order[i]] }' \
    <(tail -n +2 "$SUMMARY") >"$data"
  if [ ! -s "$data" ]; then rm -f "$RESULTS_DIR/compare.png"; return 0; fi   # none from an earlier run
  gnuplot <<EOF
set terminal pngcairo size 1400,750 font "sans,11" noenhanced
set output "$RESULTS_DIR/compare.png"
set title "Throughput on two pg_dump files: MiB/s of the dump file, log scale, higher is better\n$(date -u +%Y-%m-%d), $(nproc) CPUs, SIZE_MB=$SIZE_MB RUNS=$RUNS (median), RUNS_SLOW=$RUNS_SLOW"
set datafile separator "\t"
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y
set yrange [0.3:*]
set ylabel "MiB/s"
set grid ytics
set xtics rotate by 30 right scale 0
set bmargin 7
set key top right
plot "$data" using 2:xtic(1) title "pgbench: ${DUMP_SHORT[pgbench]:-}" linecolor rgb "#3b75af", \
     "" using 3 title "mixed: ${DUMP_SHORT[mixed]:-}" linecolor rgb "#ef8636", \
     "" using (\$0 - 1.0/6):2:(\$2 >= 10 ? sprintf("%.0f", \$2) : sprintf("%.1f", \$2)) with labels offset 0,0.6 font "sans,8" notitle, \
     "" using (\$0 + 1.0/6):3:(\$3 >= 10 ? sprintf("%.0f", \$3) : sprintf("%.1f", \$3)) with labels offset 0,0.6 font "sans,8" notitle
EOF
}

# --- the run -------------------------------------------------------------------------------------
declare -A DUMP_INFO DUMP_SHORT CHUNK_VARIANT
CHUNK_DUMPS=()
S3_URL=
S3_ROOT=
export S3_URL S3_ROOT AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
export RESTIC_PASSWORD=bench RESTIC_CACHE_DIR=$WORK/restic-cache
export BORG_BASE_DIR=$WORK/borg-home BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes

start_s3() {
  if ! s3_available; then
    say "S3 server not available (no dev.stasis.bench.S3Server in benchmarks/): the mirror case is left out"
    return 0
  fi
  mkfifo "$WORK/s3.in"
  mkdir -p "$WORK/s3"   # S3Mock keeps its objects in a temp dir: this one, whose growth a case can see
  setsid java -Djava.io.tmpdir="$WORK/s3" -cp "$S3_JAR:$ROOT/benchmarks/target/lib/*" dev.stasis.bench.S3Server --port 0 --bucket bench \
    <"$WORK/s3.in" >"$WORK/s3.url" 2>"$WORK/s3.log" &
  S3_PID=$!
  exec {S3_FD}>"$WORK/s3.in"   # held open: the server stops at its EOF
  local i
  for ((i = 0; i < 600; i++)); do
    S3_URL=$(head -n 1 "$WORK/s3.url")
    [ -z "$S3_URL" ] || break
    kill -0 "$S3_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ ! $S3_URL =~ ^http:// ]]; then
    say "S3 server not available (it did not start: $(tail -n 3 "$WORK/s3.log")): the mirror case is left out"
    S3_URL=
  else
    say "S3 server at $S3_URL"
    S3_ROOT=$WORK/s3
  fi
}

wanted() { local id; for id; do [[ $id =~ $CASES ]] && return 0; done; return 1; }
# the selected cases' ids (BENCH_LIST), so that only what they need is made
dataset_wanted() { [ -n "$(BENCH_LIST=1 DATASET=$1 DB=$1 dump_cases)" ]; }
chunk_wanted() { [ -n "$(BENCH_LIST=1 chunk_cases)" ]; }
mirror_wanted() { [[ $(BENCH_LIST=1 DATASET=pgbench dump_cases; BENCH_LIST=1 chunk_cases) == *mirror* ]]; }

START=$SECONDS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "work dir $WORK"
start_postgres
DATABASES=()
if dataset_wanted pgbench || chunk_wanted; then DATABASES+=(pgbench); fi
if dataset_wanted mixed; then DATABASES+=(mixed); fi
[ ${#DATABASES[@]} = 0 ] || make_databases "${DATABASES[@]}"
export GEN1=$WORK/dumps/pgbench.pgsql GEN2_clustered=$WORK/dumps/pgbench-clustered.pgsql \
  GEN2_random=$WORK/dumps/pgbench-random.pgsql
if chunk_wanted; then make_chunk_dumps; fi
if mirror_wanted; then start_s3; fi
PG_CONTAINER=$WORK/containers/pg
mkdir -p "$WORK/containers"
printf 'type=postgresql-database\npostgresqlUsername=postgres\npostgresqlPort=%s\npostgresqlRuntimeDir=%s\n' \
  "$PGPORT" "$PGSOCK" >"$PG_CONTAINER"
# the component, as a path: a directory named after the database (activate would read its scripts)
COMPONENTS=$WORK/components
mkdir -p "$COMPONENTS/pgbench" "$COMPONENTS/mixed"
export PG_CONTAINER COMPONENTS

for ds in pgbench mixed; do
  dataset_wanted "$ds" || continue
  export DATASET=$ds DB=$ds DUMP=$WORK/dumps/$ds.pgsql
  size=$(stat -c %s "$DUMP")
  zst=$(zstd -3 -T1 -c "$DUMP" | wc -c)
  DUMP_INFO[$ds]=$(awk -v s="$size" -v z="$zst" 'BEGIN { printf "dump %.1f MiB (%d bytes), zstd -3 ratio %.1f:1", s / 1048576, s, s / z }')
  DUMP_SHORT[$ds]=$(awk -v s="$size" -v z="$zst" 'BEGIN { printf "%.0f MiB dump, zstd %.0f:1", s / 1048576, s / z }')
  say "${DUMP_INFO[$ds]}"
  dump_cases
done

if chunk_wanted; then
  for f in "$GEN1" "$GEN2_clustered" "$GEN2_random"; do
    size=$(stat -c %s "$f")
    zst=$(zstd -3 -T1 -c "$f" | wc -c)
    CHUNK_DUMPS+=("$(awk -v n="${f##*/}" -v s="$size" -v z="$zst" 'BEGIN { printf "%s %.1f MiB (%d bytes), zstd -3 ratio %.1f:1", n, s / 1048576, s, s / z }')")
  done
  chunk_cases
fi

# --generation queries and gc on a store of many generations
if wanted query-all gc-dry gc rm-rf real-query-all real-gc; then
  export GEN_STORE=$WORK/generations
  python3 "$ROOT/benchmarks/compare-generations.py" "$GEN_STORE" "$GENERATIONS" "$GEN_COMPONENTS"
  "$STASIS" check --store "$GEN_STORE" >/dev/null || die "the generated store does not check"
  bench generations query-all 'stasis dysnomia-snapshots --query-all' fast 0 : \
    'DYSNOMIA_STATEDIR="$GEN_STORE" "$SNAPSHOTS" --query-all' ''
  bench generations gc-dry 'stasis dysnomia-snapshots --gc --keep 1 --dry-run' fast 0 : \
    'DYSNOMIA_STATEDIR="$GEN_STORE" "$SNAPSHOTS" --gc --keep 1 --dry-run' ''
  bench generations gc 'stasis dysnomia-snapshots --gc --keep 1' fast 0 'cp -a "$GEN_STORE" "$RUN/store"' \
    'DYSNOMIA_STATEDIR="$RUN/store" "$SNAPSHOTS" --gc --keep 1' '$RUN/store'
  bench generations rm-rf 'rm -rf of the same store (reference)' fast 0 'cp -a "$GEN_STORE" "$RUN/store"' \
    'rm -rf "$RUN/store"' ''
  if [ -n "$REAL_DYSNOMIA_SNAPSHOTS" ]; then
    export REAL_DYSNOMIA_SNAPSHOTS
    bench generations real-query-all 'Dysnomia 0.10.2 dysnomia-snapshots --query-all' slow 0 : \
      'DYSNOMIA_STATEDIR="$GEN_STORE" "$REAL_DYSNOMIA_SNAPSHOTS" --query-all' ''
    bench generations real-gc 'Dysnomia 0.10.2 dysnomia-snapshots --gc --keep 1' slow 0 \
      'cp -a "$GEN_STORE" "$RUN/store"' 'DYSNOMIA_STATEDIR="$RUN/store" "$REAL_DYSNOMIA_SNAPSHOTS" --gc --keep 1' \
      '$RUN/store'
  fi
  rm -rf "$GEN_STORE"
fi

# stasis's peak memory as the stream grows
export GEN_CMD='openssl enc -aes-128-ctr -pass pass:x -nosalt -bufsize 1048576 </dev/zero 2>/dev/null | head -c "$N"'
for mb in "$RSS_MB" "$BIG_MB"; do
  export N=$((mb * 1048576))
  bench stream "sha256-$mb" "openssl dgst -sha256 of $mb MiB (limit)" once "$N" : \
    "$GEN_CMD | openssl dgst -sha256" ''
  bench stream "stasis-$mb" "stasis snapshot --stdin --compression none, $mb MiB" once "$N" : \
    "$GEN_CMD | \"\$STASIS\" snapshot --stdin --compression none -C rss -c stream --store \"\$RUN/store\"" '$RUN/store'
  bench stream "stasis-chunked-$mb" "stasis snapshot --stdin --compression chunked, $mb MiB" once "$N" : \
    "$GEN_CMD | \"\$STASIS\" snapshot --stdin --compression chunked -C rss -c stream --store \"\$RUN/store\"" '$RUN/store'
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

write_results
say "done in $((SECONDS - START)) s; results in $RESULTS_DIR"
cat "$RESULTS_DIR/compare.md"
