#!/usr/bin/env bash
# Engine overhead: a 1,000-action chain and a 100-way fork/join of no-op
# in-process actions (fs touchz) with durable state, run by Refinery and by
# Snakemake (same shapes, same no-op work) in one run. Reports wall time from
# the command's start (start-up included) to SUCCEEDED, per action, and the
# ratio. Usage: bench/engine_bench.sh [build dir] [repetitions]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
reps="${2:-3}"
refinery="$build/refinery"
work="$(mktemp -d "${TMPDIR:-/tmp}/refinery-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build)"; exit 2; }

chain=1000
fanout=100

# ---- Refinery apps (terse: Oozie refuses definitions over 100,000 bytes) ----
mkdir -p "$work/chain" "$work/fork"
{
  echo '<workflow-app xmlns="uri:oozie:workflow:0.5" name="chain"><global><name-node>hdfs://n</name-node></global><start to="a1"/>'
  for i in $(seq 1 $chain); do
    next="a$((i + 1))"; [ "$i" -eq "$chain" ] && next=end
    echo "<action name=\"a$i\"><fs><touchz path=\"/b/a$i\"/></fs><ok to=\"$next\"/><error to=\"k\"/></action>"
  done
  echo '<kill name="k"><message>x</message></kill><end name="end"/></workflow-app>'
} > "$work/chain/workflow.xml"
{
  echo '<workflow-app xmlns="uri:oozie:workflow:0.5" name="fork"><global><name-node>hdfs://n</name-node></global><start to="f"/><fork name="f">'
  for i in $(seq 1 $fanout); do echo "<path start=\"a$i\"/>"; done
  echo '</fork>'
  for i in $(seq 1 $fanout); do
    echo "<action name=\"a$i\"><fs><touchz path=\"/b/a$i\"/></fs><ok to=\"j\"/><error to=\"k\"/></action>"
  done
  echo '<join name="j" to="end"/><kill name="k"><message>x</message></kill><end name="end"/></workflow-app>'
} > "$work/fork/workflow.xml"
for app in chain fork; do echo "oozie.wf.application.path=." > "$work/$app/job.properties"; done
echo "chain workflow.xml: $(wc -c < "$work/chain/workflow.xml") bytes (Oozie's limit: 100000)"

# ---- Snakemake, same shapes ----
{
  echo "rule all:"; echo "    input: 'out/a$chain'"
  echo "rule a1:"; echo "    output: 'out/a1'"; echo "    shell: 'touch {output}'"
  for i in $(seq 2 $chain); do
    echo "rule a$i:"; echo "    input: 'out/a$((i - 1))'"; echo "    output: 'out/a$i'"; echo "    shell: 'touch {output}'"
  done
} > "$work/chain/Snakefile"
{
  echo "rule all:"; echo "    input: 'out/joined'"
  echo "rule join:"; echo "    input: expand('out/a{i}', i=range(1, $((fanout + 1))))"
  echo "    output: 'out/joined'"; echo "    shell: 'touch {output}'"
  echo "rule branch:"; echo "    output: 'out/a{i}'"; echo "    shell: 'touch {output}'"
} > "$work/fork/Snakefile"

# Times come from bash's $EPOCHREALTIME (microseconds): a `date` process would
# add its own start-up (about a millisecond) to every measurement.
best_of() {  # best_of <command...>: one untimed warm-up, then the fastest of $reps, in ms (0.1 ms steps)
  local best=""
  "$@" > "$work/last.log" 2>&1 || { echo "command failed: $*" >&2; tail -20 "$work/last.log" >&2; exit 1; }
  for _ in $(seq 1 "$reps"); do
    "$@" > "$work/last.log" 2>&1 || { echo "command failed: $*" >&2; tail -20 "$work/last.log" >&2; exit 1; }
    local t=$(( ${EPOCHREALTIME/./} - start ))
    if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
  done
  echo "$((best / 1000)).$(((best % 1000) / 100))"
}

# Both tools keep their state between runs (Refinery's data home, Snakemake's
# .snakemake); outputs are removed so every run does the full work.
run_refinery() {
  rm -rf "$work/home/fs/b"
  start=${EPOCHREALTIME/./}
  "$refinery" --home "$work/home" job -config "$work/$1/job.properties" -run --quiet
}

run_snakemake() {
  rm -rf "$work/$1/out"
  start=${EPOCHREALTIME/./}
  (cd "$work/$1" && /usr/bin/python3 -c "import sys; sys.setrecursionlimit(100000); from snakemake import main; sys.argv=['snakemake','-c1','-q','--nolock']; main()")
}

printf "%-22s %12s %14s %12s %14s %8s\n" shape "refinery ms" "ms/action" "snakemake ms" "ms/rule" ratio
for shape in chain fork; do
  n=$chain; [ "$shape" = fork ] && n=$fanout
  rm -rf "$work/home"
  r=$(start=0; best_of run_refinery "$shape")
  grep -q "SUCCEEDED" "$work/last.log" || { echo "refinery did not succeed on $shape"; cat "$work/last.log"; exit 1; }
  if command -v snakemake >/dev/null 2>&1; then
    s=$(start=0; best_of run_snakemake "$shape")
  else
    s=""
  fi
  r_per=$(echo "scale=3; $r / $n" | bc)
  if [ -n "$s" ]; then
    s_per=$(echo "scale=3; $s / $n" | bc); ratio=$(echo "scale=1; $s / $r" | bc)
  else
    s_per="-"; ratio="-"; s="(no snakemake)"
  fi
  printf "%-22s %12s %14s %12s %14s %7sx\n" "$shape ($n actions)" "$r" "$r_per" "$s" "$s_per" "$ratio"
done
echo "(best of $reps runs each; ratio = snakemake time / refinery time; start-up included)"
