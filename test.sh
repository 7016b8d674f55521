#!/usr/bin/env bash
# Runs the whole K2 test suite, installing what it needs first, and ends with one line of totals:
#   N passed, N failed, N skipped
# Each test project runs in its own process (xunit.v3); projects that start K2 or services run after the rest,
# so the heavy end-to-end runs do not compete for the two cores with the unit suites.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
results="$root/artifacts/test-results"

totals() { echo "$1 passed, $2 failed, $3 skipped"; }

if ! scripts/ensure-prerequisites.sh test; then
  echo "Prerequisites could not be installed." >&2
  totals 0 1 0
  exit 1
fi

rm -rf "$results"
mkdir -p "$results"
if ! dotnet build K2.sln -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "The build failed." >&2
  totals 0 1 0
  exit 1
fi

# End-to-end and browser projects last, one at a time: they start K2, and the browser tests Chromium beside it.
heavy='EndToEnd|Browser'
mapfile -t unit_projects < <(ls tests/*/*.Tests.csproj | grep -Ev "$heavy")
mapfile -t e2e_projects < <(ls tests/*/*.Tests.csproj | grep -E "$heavy")
# Exit codes go to files: the unit projects run as background jobs, whose variables do not reach this shell.
run() {
  local name
  name=$(basename "$1" .csproj)
  dotnet test "$1" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results"
  echo $? > "$results/$name.exit"
}
for project in "${unit_projects[@]}"; do
  run "$project" &
  # Two at a time: the machine has two cores.
  while (($(jobs -rp | wc -l) >= 2)); do wait -n; done
done
wait
for project in "${e2e_projects[@]}"; do
  run "$project"
done

passed=0; failed=0; skipped=0; runs=0
for trx in "$results"/*.trx; do
  [[ -f "$trx" ]] || continue
  runs=$((runs + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  value() { grep -o " $1=\"[0-9]*\"" <<<"$counters" | grep -o '[0-9]*'; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # xunit.v3 leaves notExecuted at 0; a skipped test is one counted in total but not executed.
  skipped=$((skipped + $(value total) - $(value executed)))
done

status=0
for code in "$results"/*.exit; do
  [[ "$(cat "$code")" == "0" ]] || status=1
done

expected=$(( ${#unit_projects[@]} + ${#e2e_projects[@]} ))
if ((runs < expected)); then
  echo "Only $runs of $expected test projects produced results (a test host crashed or did not start)." >&2
  failed=$((failed + expected - runs))
fi
if ((status != 0 && failed == 0)); then
  echo "dotnet test reported a failure that no test result shows (see the output above)." >&2
  failed=1
fi

totals "$passed" "$failed" "$skipped"
((failed == 0))
