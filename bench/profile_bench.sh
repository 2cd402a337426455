#!/usr/bin/env bash
# Profile throughput: 1,000,000 rows x 22 mixed columns of CSV (about 146 MB,
# written by bench/profile_bench_data.py), profiled by Refinery's <profile>
# action inside a one-action workflow (`refinery job -run`, start-up included)
# and by pandas doing the equivalent work: read_csv, describe(include='all'),
# isna().sum() and value_counts() of every text column. One run each; wall
# time, ratio and peak memory (maximum RSS from /usr/bin/time -v).
# Usage: bench/profile_bench.sh [build dir] [rows]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
rows="${2:-1000000}"
refinery="$build/refinery"
python=/usr/bin/python3   # Debian's python: pandas is installed for it (install-deps.sh --bench)
[ -x "$refinery" ] || { echo "build $refinery first (cmake --build build --target refinery)"; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)"; exit 2; }
"$python" -c 'import pandas' 2>/dev/null || { echo "needs python3-pandas (scripts/install-deps.sh --bench)"; exit 2; }
work="$(mktemp -d /tmp/refinery-profile-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

echo "writing $rows rows x 22 columns..."
"$python" "$root/bench/profile_bench_data.py" "$work/data.csv" "$rows"
echo "input: $(du -m "$work/data.csv" | cut -f1) MB"

mkdir -p "$work/app"
cat >"$work/app/workflow.xml" <<XML
<workflow-app xmlns="uri:oozie:workflow:1.0" name="profile-bench">
  <start to="profile"/>
  <action name="profile">
    <profile xmlns="uri:refinery:profile-action:1.0">
      <input>file://$work/data.csv</input>
      <output>/user/reports/bench</output>
      <id-column>id</id-column>
      <expect>rows &gt;= 1000</expect>
      <expect>null_fraction(income) &lt;= 0.1</expect>
      <expect>distinct(subscribed) == 2</expect>
    </profile>
    <ok to="end"/>
    <error to="fail"/>
  </action>
  <kill name="fail"><message>\${wf:errorMessage('profile')}</message></kill>
  <end name="end"/>
</workflow-app>
XML
printf 'oozie.wf.application.path=.\nuser.name=bench\n' >"$work/app/job.properties"

cat >"$work/pandas_profile.py" <<'PY'
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
described = df.describe(include="all")
nulls = df.isna().sum()
counts = {c: df[c].value_counts() for c in df.columns if df[c].dtype == object}
print("pandas: %d rows, %d columns described, %d null cells, %d value_counts" %
      (len(df), described.shape[1], int(nulls.sum()), len(counts)))
PY

# Wall seconds, peak RSS (MB) and CPU seconds (user + system) of a command,
# from /usr/bin/time -v. CPU time is the fairer figure on a shared machine.
measure() {  # label logfile command...
  local label="$1" log="$2"; shift 2
  /usr/bin/time -v "$@" >"$log.out" 2>"$log.time" || { cat "$log.out" "$log.time"; echo "$label failed"; exit 1; }
  local wall rss cpu
  wall="$(grep 'Elapsed (wall clock)' "$log.time" | awk '{print $NF}' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
  rss="$(grep 'Maximum resident set size' "$log.time" | awk '{print int($NF/1024)}')"
  cpu="$(grep -E '(User|System) time \(seconds\)' "$log.time" | awk '{s += $NF} END {print s}')"
  echo "$wall $rss $cpu"
}

read -r r_wall r_rss r_cpu < <(measure refinery "$work/refinery" "$refinery" --home "$work/home" job -config "$work/app/job.properties" -run)
grep -E "status:" "$work/refinery.out" | head -1
read -r p_wall p_rss p_cpu < <(measure pandas "$work/pandas" "$python" "$work/pandas_profile.py" "$work/data.csv")
cat "$work/pandas.out"

printf '\n%-10s %10s %10s %14s\n' "" "wall (s)" "CPU (s)" "peak RSS (MB)"
printf '%-10s %10.2f %10.2f %14d\n' refinery "$r_wall" "$r_cpu" "$r_rss"
printf '%-10s %10.2f %10.2f %14d\n' pandas "$p_wall" "$p_cpu" "$p_rss"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
awk -v r="$r_wall" -v p="$p_wall" -v rc="$r_cpu" -v pc="$p_cpu" -v rm="$r_rss" -v pm="$p_rss" \
  'BEGIN { printf "ratio: refinery is %.1fx faster than pandas (wall), %.1fx less CPU, %.1fx less peak memory\n", p / r, pc / rc, pm / rm }'
