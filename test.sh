#!/usr/bin/env bash
# Runs the whole K2 test suite, installing what it needs first, and ends with one line of totals:
#   N passed, N failed, N skipped
# Each test project runs in its own process (xunit.v3); the end-to-end tests, which start K2 processes, run after the
# rest, so their timing does not compete for the two cores with the unit suites.
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

# Unit and browser projects two at a time (the machine has two cores), the longest first: started last, one of them
# kept the other core idle for about 95 s (Grains.Tests took 130 s of wall time, Storage.Tests 104 s, Silo.Tests 94 s).
# The browser tests drive Chromium against an in-process API, and one of them against a k2 run --simulate (about
# 20 s): they share the pool like the unit projects.
# End-to-end tests last, one at a time: they start K2 processes, and their timing needs the cores to themselves.
longest_first=(K2.Grains.Tests K2.Storage.Tests K2.Silo.Tests)
mapfile -t pooled_projects < <(for name in "${longest_first[@]}"; do ls "tests/$name/$name.csproj"; done
                               ls tests/*/*.Tests.csproj | grep -v EndToEnd | grep -Fvf <(printf '/%s.csproj\n' "${longest_first[@]}"))
e2e_project=tests/K2.EndToEnd.Tests/K2.EndToEnd.Tests.csproj
# End-to-end tests that spend their time waiting on a K2 process's own timers (k2-api's start-up retries, about 31 s;
# 9.5 CPU-seconds in all, test host included) run beside the pool as a third process, not in the serial run.
beside_filter='FullyQualifiedName~K2.EndToEnd.Tests.ApiClusterStartTests'
# Exit codes go to files: the pooled projects run as background jobs, whose variables do not reach this shell.
run() {
  local project=$1 name=$2
  shift 2
  dotnet test "$project" -c Release --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@"
  echo $? > "$results/$name.exit"
}
run "$e2e_project" K2.EndToEnd.Tests.Beside --filter "$beside_filter" &
beside=$!
for project in "${pooled_projects[@]}"; do
  run "$project" "$(basename "$project" .csproj)" &
  while (($(jobs -rp | grep -cvx "$beside") >= 2)); do wait -n; done
done
wait
run "$e2e_project" K2.EndToEnd.Tests --filter "${beside_filter/\~/!~}"

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

expected=$(( ${#pooled_projects[@]} + 2 ))
if ((runs < expected)); then
  echo "Only $runs of $expected test runs produced results (a test host crashed or did not start)." >&2
  failed=$((failed + expected - runs))
fi
if ((status != 0 && failed == 0)); then
  echo "dotnet test reported a failure that no test result shows (see the output above)." >&2
  failed=1
fi

totals "$passed" "$failed" "$skipped"
((failed == 0))
