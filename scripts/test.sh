#!/usr/bin/env bash
# The one test command. It installs and starts what the tests need when it is missing
# (each scripts/test-deps.d/*.sh does one thing), builds, runs every test project, and
# ends with the line "N passed, N failed" counted from the TRX result files.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

for dep in scripts/test-deps.d/*.sh; do
  [ -e "$dep" ] || continue
  echo "== $(basename "$dep")"
  # shellcheck disable=SC1090
  source "$dep"
done

rm -rf TestResults
dotnet build MedTechTracker.sln -c Release -warnaserror
set +e
dotnet test MedTechTracker.sln -c Release --no-build \
  --logger "trx" --logger "console;verbosity=normal" --results-directory TestResults \
  --blame-hang-timeout 10m "$@"
status=$?
set -e
python3 scripts/trx-summary.py TestResults
exit $status
