#!/usr/bin/env bash
# The one publish command: the Dockerfile's build stage runs exactly this, and CI runs it too
# (no Docker engine there), so a broken image build shows up as a broken publish.
#   scripts/publish.sh [OUTPUT_DIR]   (default: artifacts/publish)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/publish}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet publish src/MedTechTracker/MedTechTracker.csproj -c Release -o "$out" \
  -p:UseAppHost=false -p:TreatWarningsAsErrors=true
test -f "$out/medtech-tracker.dll"
test -f "$out/config/rules.json"
echo "published to $out"
