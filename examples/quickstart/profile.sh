#!/bin/sh
# Two small data-quality figures, printed as key=value for capture-output.
set -eu
case "$1" in
  target) awk -F, 'NR > 1 { n++; if ($17 == "yes") y++ } END { printf "rows=%d\nyes_rate=%.4f\n", n, y / n }' bank.csv ;;
  age) awk -F, 'NR > 1 { n++; s += $1; if ($1 < min || n == 1) min = $1; if ($1 > max) max = $1 }
               END { printf "age_mean=%.2f\nage_min=%d\nage_max=%d\n", s / n, min, max }' bank.csv ;;
  *) echo "profile.sh: unknown profile '$1' (use target or age)" >&2; exit 2 ;;
esac
