#!/usr/bin/env bash
# The storm test over many seeds, outside the suite (issue 11): each seed is one K2 start, a storm of the given length,
# a 10 s clean tail and the exact comparison with the simulator's ground truth. Prints one line per seed and, per
# exchange, the median and worst time from its last fault to "every gap repaired" (K2 with no open gap and no repair
# queued or in flight).
#   scripts/storm-sweep.sh [first-seed] [count] [storm-seconds]     e.g. scripts/storm-sweep.sh 1001 20 45
set -euo pipefail
cd "$(dirname "$0")/.."
first=${1:-1001}
count=${2:-20}
seconds=${3:-45}
logs=$(mktemp -d)
dotnet build tests/K2.EndToEnd.Tests -c Release -nologo -v quiet -clp:ErrorsOnly </dev/null >/dev/null

passed=0
failed=0
for seed in $(seq "$first" $((first + count - 1))); do
    log="$logs/seed-$seed.log"
    if K2_STORM_SEED=$seed K2_STORM_SECONDS=$seconds dotnet test tests/K2.EndToEnd.Tests -c Release --no-build \
        --filter "FullyQualifiedName~StormTests" --logger "console;verbosity=detailed" </dev/null >"$log" 2>&1; then
        result=passed; passed=$((passed + 1))
    else
        result=FAILED; failed=$((failed + 1))
    fi
    missing=$(grep -E '^\s*(binance|kraken|coinbase): [0-9]+ trades missing' "$log" | awk '{s += $2} END {print s + 0}')
    repair=$(grep -m1 -oE 'REPAIR seed=.*' "$log" || echo "REPAIR seed=$seed (none printed)")
    echo "seed $seed: $result, $missing trades missing, load $(cut -d' ' -f1-3 /proc/loadavg); $repair"
done

echo
echo "repair time from each exchange's last fault (s), over $((passed + failed)) seeds:"
for exchange in binance kraken coinbase; do
    grep -h -oE "REPAIR seed=.*" "$logs"/seed-*.log | grep -oE "$exchange=[0-9.]+s" | tr -dc '0-9.\n' | sort -n |
        awk -v e="$exchange" '{v[NR] = $1} END {
            if (NR == 0) { print e ": no measurement"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s: median %.2f, worst %.2f (n=%d)\n", e, m, v[NR], NR }'
done
echo "logs: $logs"
echo "$passed passed, $failed failed"
