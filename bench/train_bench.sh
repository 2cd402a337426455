#!/usr/bin/env bash
# Training: a generated funnel table (default 1,000,000 rows: 5 categorical
# columns up to 150 categories, 7 numeric, missing values, ~18 % positive)
# trained three ways in one run, each limited to 2 threads, 100 rounds,
# depth 6, eta 0.1, 20 % stratified holdout:
#   - Refinery: a workflow with one <train> action (read CSV, prepare, encode
#     with categories ordered by target mean, train, write the bundle), `job -run`;
#   - pandas read_csv + median imputation + one-hot + scikit-learn
#     HistGradientBoostingClassifier;
#   - pandas + the same one-hot + the xgboost Python package (Debian's
#     python3-xgboost, the library Refinery links).
# Prints wall time, holdout AUC, peak RSS (/usr/bin/time -v) and ratios.
# Usage: bench/train_bench.sh [build dir] [rows]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
rows="${2:-1000000}"
refinery="$build/refinery"
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build --target refinery refinery_plugins)"; exit 2; }
/usr/bin/python3 -c 'import pandas, sklearn, xgboost' 2>/dev/null ||
  { echo "needs python3-pandas python3-sklearn python3-xgboost (scripts/install-deps.sh --bench)"; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (package time)"; exit 2; }
work="$(mktemp -d /tmp/refinery-train-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rounds=100 depth=6 eta=0.1 threads=2
export OMP_NUM_THREADS=$threads
# Passive OpenMP waits for every run (Refinery's default; spinning waits are
# many times slower when the cores are shared, see bench/README.md).
export OMP_WAIT_POLICY=PASSIVE

echo "generating $rows rows..."
/usr/bin/python3 "$root/bench/train_bench_data.py" "$rows" "$work/funnel.csv"
echo "input: $(du -h "$work/funnel.csv" | cut -f1)"

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.5" -> seconds; "Maximum resident set size (kbytes)" -> MB.
wall() { awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$1"; }
peak_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1"; }

# ---- Refinery ----
app="$work/app"
mkdir -p "$app"
cat > "$app/workflow.xml" <<XML
<workflow-app xmlns="uri:oozie:workflow:0.5" name="train-bench">
  <start to="train"/>
  <action name="train">
    <train xmlns="uri:refinery:train-action:1.0">
      <input>file://$work/funnel.csv</input>
      <target>converted</target>
      <exclude>visitor_id</exclude>
      <param name="rounds">$rounds</param>
      <param name="max_depth">$depth</param>
      <param name="eta">$eta</param>
      <param name="nthread">$threads</param>
      <model-dir>/user/bench/model</model-dir>
    </train>
    <ok to="end"/>
    <error to="fail"/>
  </action>
  <kill name="fail"><message>train failed: \${wf:errorMessage(wf:lastErrorNode())}</message></kill>
  <end name="end"/>
</workflow-app>
XML
printf 'oozie.wf.application.path=file://%s\nuser.name=bench\n' "$app" > "$app/job.properties"
echo "refinery train..."
/usr/bin/time -v "$refinery" --home "$work/home" job -config "$app/job.properties" -run >"$work/refinery.log" 2>"$work/refinery.time" || true
grep -q SUCCEEDED "$work/refinery.log" || { echo "refinery train failed:" >&2; cat "$work/refinery.log" "$work/refinery.time" >&2; exit 1; }
metrics="$(find "$work/home" -path '*user/bench/model/v1/metrics.json' | head -1)"
ref_auc="$(/usr/bin/python3 -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["auc"])' "$metrics")"
ref_s="$(wall "$work/refinery.time")"; ref_mb="$(peak_mb "$work/refinery.time")"

# ---- peers ----
run_peer() {  # name
  echo "$1..." >&2
  /usr/bin/time -v /usr/bin/python3 "$root/bench/train_bench_peers.py" "$1" "$work/funnel.csv" $rounds $depth $eta $threads \
    >"$work/$1.out" 2>"$work/$1.time" || { cat "$work/$1.out" "$work/$1.time" >&2; exit 1; }
}
run_peer sklearn
run_peer xgboost
sk_auc="$(sed -n 's/.*auc=\([0-9.]*\).*/\1/p' "$work/sklearn.out")"
xg_auc="$(sed -n 's/.*auc=\([0-9.]*\).*/\1/p' "$work/xgboost.out")"
sk_s="$(wall "$work/sklearn.time")"; sk_mb="$(peak_mb "$work/sklearn.time")"
xg_s="$(wall "$work/xgboost.time")"; xg_mb="$(peak_mb "$work/xgboost.time")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "$rows rows, $rounds rounds, depth $depth, eta $eta, $threads threads, 20 % holdout"
printf '%-40s %9s %8s %9s %12s %12s\n' "run" "wall s" "AUC" "peak MB" "time ratio" "memory ratio"
printf '%-40s %9.2f %8s %9s %12s %12s\n' "refinery <train> (ordered categories)" "$ref_s" "$ref_auc" "$ref_mb" "1.00" "1.00"
printf '%-40s %9.2f %8s %9s %12s %12s\n' "pandas + one-hot + sklearn HistGB" "$sk_s" "$sk_auc" "$sk_mb" "$(ratio "$ref_s" "$sk_s")" "$(ratio "$ref_mb" "$sk_mb")"
printf '%-40s %9.2f %8s %9s %12s %12s\n' "pandas + one-hot + xgboost (python)" "$xg_s" "$xg_auc" "$xg_mb" "$(ratio "$ref_s" "$xg_s")" "$(ratio "$ref_mb" "$xg_mb")"
echo "(ratios = Refinery / peer; < 1 means Refinery is faster or smaller. Refinery's time includes process start,"
echo " workflow parsing, the durable job state and the atomic bundle publish.)"
