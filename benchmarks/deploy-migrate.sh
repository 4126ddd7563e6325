#!/usr/bin/env bash
# Whole-process cost of moving a PostgreSQL database between two servers with
# `stasis deploy migrate`, against the plain way, `pg_dump A | psql B`. As root, on Debian:
#
#   benchmarks/deploy-migrate.sh              # pgbench scale 70 (about 1 GB of database), 3 runs each
#   benchmarks/deploy-migrate.sh -s 5         # a quick try (about 75 MB)
#   SCALE=140 RUNS=5 benchmarks/deploy-migrate.sh
#
# Starts two throwaway PostgreSQL servers (A and B) as the postgres user, each on a unix socket in
# a temp dir of its own, fills A with `pgbench -i -s SCALE`, then times with GNU time (elapsed,
# max RSS, CPU), runs of the two cases interleaved after one warm-up run of each:
#
#   plain    createdb + pg_dump A | psql -v ON_ERROR_STOP=1 B: a fresh database on B
#   migrate  bin/stasis deploy migrate --from old.toml --to new.toml: the service on target A in
#            old.toml, on target B in new.toml, both local targets; lock on A, snapshot (zstd) into
#            A's store, send to the coordinator's store and on to B's (each verified), restore on B
#            (verified, into a side database, renamed in), unlock A
#
# Before every run (not timed) B's database is dropped, and for migrate the coordinator's and the
# targets' stores are deleted, so each run is a whole migration; then B checkpoints and the disks
# sync. After every run (not timed) B's count of pgbench_accounts is checked against A's. Prints the medians and
# migrate/plain, and writes them to RESULTS_DIR/deploy-migrate.{md,tsv}. Everything it started or
# wrote outside RESULTS_DIR is removed on exit, Ctrl-C included.
#
# Knobs (environment, or -s SCALE -r RUNS):
#   SCALE=70             pgbench scale of A's database (70: about 1 GB on disk, a 0.7 GB dump)
#   RUNS=3               timed runs per case (the median is reported); WARMUP=1 untimed runs first
#   WORK_PARENT=/var/tmp where the temp dir goes (needs about 6 x the database's size free)
#   RESULTS_DIR=benchmarks/results
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
SCALE=${SCALE:-70}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
WORK_PARENT=${WORK_PARENT:-/var/tmp}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/benchmarks/results}
while getopts 's:r:h' opt; do
  case $opt in
    s) SCALE=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    h) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "usage: benchmarks/deploy-migrate.sh [-s SCALE] [-r RUNS] (see -h)" >&2; exit 2 ;;
  esac
done
[[ $SCALE =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[0-9]+$ ]] \
  || { echo "deploy-migrate: SCALE and RUNS must be positive integers, WARMUP 0 or more" >&2; exit 2; }
PORT=54329   # both servers: each socket is in a directory of its own

exec {ERR}>&2   # messages go here even from a trap that fires inside a redirected command
say() { printf 'deploy-migrate: %s\n' "$*" >&"$ERR"; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (installs what is missing, runs PostgreSQL as the postgres user)"

# --- what it needs -------------------------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need java openjdk-17-jdk-headless
need mvn maven
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
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
STASIS=$ROOT/bin/stasis
"$STASIS" --version >/dev/null   # builds cli/target/stasis.jar on first use, not inside a timing

# --- scratch space, and removing it whatever happens ---------------------------------------------
mkdir -p "$WORK_PARENT"
free_mb=$(df -Pm "$WORK_PARENT" | awk 'NR == 2 { print $4 }')
need_mb=$((SCALE * 15 * 6 + 1024))   # pgbench: ~15 MB a scale step on disk; A, B, three stores, WAL
[ "$free_mb" -ge "$need_mb" ] || die "$WORK_PARENT has $free_mb MiB free; this run needs about $need_mb (see WORK_PARENT)"
WORK=$(mktemp -d "$WORK_PARENT/stasis-deploy-migrate.XXXXXX")
chmod 755 "$WORK"   # the postgres user must reach its data and socket dirs inside
STARTED=()
CHILD=

cleanup() {
  local rc=$? s
  set +e
  trap - EXIT INT TERM
  if [ -n "$CHILD" ]; then kill -TERM -- "-$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
  for s in "${STARTED[@]}"; do
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/$s/data" -w -m immediate stop >/dev/null 2>&1
  done
  rm -rf "$WORK"
  [ "$rc" = 0 ] || say "stopped (exit $rc); removed $WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command in its own process group and waits for it, so a trap can end it whole.
spawn() {
  setsid "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=
  return "$rc"
}

# --- two PostgreSQL servers, unix sockets only ----------------------------------------------------
start_server() {
  local s=$1
  mkdir -p "$WORK/$s/data" "$WORK/$s/sock"
  chown postgres "$WORK/$s/data" "$WORK/$s/sock" "$WORK/$s"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/$s/data" -U postgres -A peer -E UTF8 --locale=C.UTF-8 \
    --no-sync >/dev/null
  STARTED+=("$s")
  # The same settings for both servers and both cases; max_wal_size only keeps checkpoints from
  # firing in the middle of one load and not another.
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/$s/data" -w -l "$WORK/$s/server.log" \
    -o "-k $WORK/$s/sock -c listen_addresses= -p $PORT -c max_wal_size=8GB" start >/dev/null
}
# pg SERVER TOOL ARGS...: a client tool as postgres on SERVER's socket
pg() {
  local s=$1 tool=$2
  shift 2
  runuser -u postgres -- "$PGBIN/$tool" -h "$WORK/$s/sock" -p "$PORT" "$@"
}
export -f pg
export PGBIN WORK PORT STASIS

START=$SECONDS
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
say "work dir $WORK; $(nproc) CPUs"
start_server a
start_server b
say "filling A: pgbench -i -s $SCALE"
pg a createdb pgbench
pg a pgbench -q -i -I dtgvp -s "$SCALE" pgbench >/dev/null 2>&1
pg a psql -X -q -d postgres -c CHECKPOINT >/dev/null
DB_BYTES=$(pg a psql -X -A -t -d postgres -c "SELECT pg_database_size('pgbench')")
ACCOUNTS=$(pg a psql -X -A -t -d pgbench -c "SELECT count(*) FROM pgbench_accounts")
DUMP_BYTES=$(pg a pg_dump pgbench | wc -c)   # also reads A into the page cache
say "A: pgbench database $((DB_BYTES / 1048576)) MiB on disk, $ACCOUNTS accounts, dump $((DUMP_BYTES / 1048576)) MiB"

# --- the deployment: one service, on A before and on B after -------------------------------------
M=$WORK/migrate
mkdir -p "$M"
deployment() {
  local file=$1 target=$2 t
  for t in a b; do
    printf '[targets.%s]\naddress = "local"\nstatedir = "%s"\n' "$t" "$M/state-$t"
    printf '[targets.%s.containers.postgresql-database]\npostgresqlUsername = "postgres"\n' "$t"
    printf 'postgresqlPort = %s\npostgresqlRuntimeDir = "%s"\n\n' "$PORT" "$WORK/$t/sock"
  done >"$file"
  printf '[services.pgbench]\ntarget = "%s"\ncontainer = "postgresql-database"\n' "$target" >>"$file"
}
deployment "$M/old.toml" a
deployment "$M/new.toml" b
export M

# Not timed: B without the database, no stores (a whole migration each time), B checkpointed.
PREP='pg b psql -X -q -d postgres -c "DROP DATABASE IF EXISTS pgbench WITH (FORCE)" \
  && rm -rf "$M/coordinator" "$M/state-a" "$M/state-b" && pg b psql -X -q -d postgres -c CHECKPOINT && sync'
PLAIN='pg b createdb pgbench && pg a pg_dump pgbench | pg b psql -X -q -v ON_ERROR_STOP=1 -d pgbench >/dev/null'
# stasis says each step on stderr: stamped with the time, for the breakdown of the steps (the
# stamping is a few lines' work, timed with the rest)
stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
export -f stamp
MIGRATE='printf "%s start\n" "$EPOCHREALTIME" >"$M/steps"; { "$STASIS" deploy migrate --from "$M/old.toml" \
  --to "$M/new.toml" --store "$M/coordinator" 2>&1 >&3 | stamp >>"$M/steps"; } 3>&1; printf "%s end\n" "$EPOCHREALTIME" >>"$M/steps"'
CHECK="test \"\$(pg b psql -X -A -t -d pgbench -c 'SELECT count(*) FROM pgbench_accounts')\" = $ACCOUNTS"

RAW=$WORK/runs.tsv
printf 'case\trun\twall_s\tmax_rss_kib\tuser_s\tsys_s\n' >"$RAW"
STORED_KIB=
# run CASE N COMMAND: one run, prepared, timed, checked
run() {
  local id=$1 i=$2 cmd=$3 log=$WORK/log tf=$WORK/time rc=0 wall rss user sys
  say "$id, run $i of $RUNS$([ "$i" -le 0 ] && echo ' (warm-up)')"
  spawn bash -c "$PREP" >/dev/null 2>"$log" || die "$id: preparing failed: $(tail -n 5 "$log")"
  spawn /usr/bin/time -f '%e %M %U %S' -o "$tf" bash -c "set -o pipefail; $cmd" >"$WORK/out" 2>"$log" || rc=$?
  if [ "$rc" != 0 ]; then
    say "$id FAILED (exit $rc); its output ends:"
    tail -n 15 "$WORK/out" "$log" >&"$ERR"
    exit 1
  fi
  spawn bash -c "$CHECK" >/dev/null 2>&1 || die "$id: B does not have A's $ACCOUNTS accounts after the run"
  read -r wall rss user sys < <(tail -n 1 "$tf")
  [ "$i" -le 0 ] || printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$i" "$wall" "$rss" "$user" "$sys" >>"$RAW"
  if [ "$id" = migrate ]; then
    STORED_KIB=$(du -sk "$M/coordinator/snapshots" | cut -f1)
    [ "$i" -le 0 ] || cp "$M/steps" "$WORK/steps-$i"
  fi
}

for ((i = 1 - WARMUP; i <= RUNS; i++)); do
  run plain "$i" "$PLAIN"
  run migrate "$i" "$MIGRATE"
done
grep -q $'\tdone\t' "$WORK/out" || die "the last migrate did not report the service done: $(cat "$WORK/out")"

# --- summary -------------------------------------------------------------------------------------
# median of a column (3: wall, 5: user, 6: sys) of a case; max of column 4 (RSS)
median() { awk -F'\t' -v c="$1" -v k="$2" '$1 == c { print $k }' "$RAW" | sort -g \
  | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
spread() { awk -F'\t' -v c="$1" '$1 == c { print $3 }' "$RAW" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 }
  END { printf "%s–%s", lo, hi }'; }
peak() { awk -F'\t' -v c="$1" '$1 == c && $4 > m { m = $4 } END { printf "%.0f", m / 1024 }' "$RAW"; }
P_WALL=$(median plain 3)
M_WALL=$(median migrate 3)
RATIO=$(awk -v m="$M_WALL" -v p="$P_WALL" 'BEGIN { printf "%.2f", m / p }')
# The steps of the migrate run whose wall time is the median: seconds from one line to the next.
MEDIAN_RUN=$(awk -F'\t' -v m="$M_WALL" '$1 == "migrate" && $3 == m { print $2; exit }' "$RAW")
steps() {
  awk '{ t = $1; $1 = ""; sub(/^ /, ""); sub(/^stasis: /, "")
         if (NR > 1) printf "| %s | %.2f |\n", what, t - prev
         prev = t; what = $0 }' "$WORK/steps-${MEDIAN_RUN:-$RUNS}" \
    | sed -E 's/ from [^ ]+\/[0-9a-f]{64}//; s/ [^ ]+\/[0-9a-f]{64}//; s/^\| start \|/| start-up, reading the deployments |/'
}
mkdir -p "$RESULTS_DIR"
cp "$RAW" "$RESULTS_DIR/deploy-migrate.tsv"
{
  echo "# stasis deploy migrate vs pg_dump | psql"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); stasis $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
  echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, work dir on $(df -T "$WORK_PARENT" | awk 'NR == 2 { print $2 }')"
  echo "- $("$PGBIN/postgres" --version); $(java -version 2>&1 | head -1)"
  echo "- load average (1, 5, 15 min) at the start $LOAD_START, at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- command: \`SCALE=$SCALE RUNS=$RUNS WARMUP=$WARMUP benchmarks/deploy-migrate.sh\`"
  echo "- A: pgbench -s $SCALE, $((DB_BYTES / 1048576)) MiB on disk, plain dump $((DUMP_BYTES / 1048576)) MiB;" \
    "stored snapshot (zstd) $(awk -v k="$STORED_KIB" 'BEGIN { printf "%.1f", k / 1024 }') MiB"
  echo
  echo "Medians of $RUNS runs each (interleaved, after $WARMUP warm-up run(s) of each); wall time and peak RSS of"
  echo "the largest single client process by GNU time (the servers' memory is not counted in either)."
  echo
  echo "| case | wall s, median (min–max) | user s | sys s | peak RSS MiB |"
  echo "|---|--:|--:|--:|--:|"
  echo "| (i) createdb + pg_dump A \| psql B | $P_WALL ($(spread plain)) | $(median plain 5) | $(median plain 6) | $(peak plain) |"
  echo "| (ii) stasis deploy migrate A → B | $M_WALL ($(spread migrate)) | $(median migrate 5) | $(median migrate 6) | $(peak migrate) |"
  echo
  echo "(ii)/(i), wall time: **$RATIO**"
  echo
  echo "Where the migrate's time went (the run with the median wall time): seconds from each line stasis"
  echo "says to the next, so a line's time is that step's."
  echo
  echo "| step (from its line on stderr) | s |"
  echo "|---|--:|"
  steps
} >"$RESULTS_DIR/deploy-migrate.md"
say "done in $((SECONDS - START)) s; results in $RESULTS_DIR/deploy-migrate.md"
cat "$RESULTS_DIR/deploy-migrate.md"
