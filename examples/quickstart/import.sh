#!/bin/sh
# Lands bank.csv (without its header) in the raw zone as part-m-00000 and
# reports the row count for the quality gate.
set -eu
target="$1"
tail -n +2 bank.csv > part-m-00000
refinery fs -put -f part-m-00000 "$target/part-m-00000"
: > _SUCCESS
refinery fs -put -f _SUCCESS "$target/_SUCCESS"
echo "rows=$(wc -l < part-m-00000 | tr -d ' ')"
