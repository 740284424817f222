#!/usr/bin/env bash
# The demo in one command, with nothing but the .NET SDK: builds the tracker and a Jira simulator, starts the
# simulator (seeded with the issues of samples/webhooks/), enables the DEMO project, starts `serve` against the
# simulator, delivers the sample webhooks signed the way Jira signs them, and prints the issue → sub-task tree.
# Everything it starts is stopped on exit; its data directory is a temp dir. Loopback ports are picked free
# unless SIM_PORT / APP_PORT are set.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

SIM_PORT="${SIM_PORT:-0}"
APP_PORT="${APP_PORT:-0}"
work="$(mktemp -d "${TMPDIR:-/tmp}/mtc-demo.XXXXXX")"
sim_pid="" app_pid=""

cleanup() {
  local status=$?
  for pid in "$app_pid" "$sim_pid"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "$app_pid" "$sim_pid"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ] && [ -f "$work/serve.log" ]; then
    echo "--- last lines of the tracker's log ---" >&2
    tail -n 40 "$work/serve.log" >&2 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== Building the tracker and the Jira simulator"
dotnet build src/MedTechTracker/MedTechTracker.csproj -c Release -v quiet -nologo
dotnet build samples/JiraSimulator/JiraSimulator.csproj -c Release -v quiet -nologo
app=(dotnet src/MedTechTracker/bin/Release/net10.0/medtech-tracker.dll)
sim=(dotnet samples/JiraSimulator/bin/Release/net10.0/jira-simulator.dll)

echo "== Starting the Jira simulator"
"${sim[@]}" run --port "$SIM_PORT" --webhooks samples/webhooks --ready-file "$work/sim.url" >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 120); do
  [ -s "$work/sim.url" ] && break
  kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$work/sim.url" ] || { echo "the simulator did not start" >&2; exit 1; }
sed 's/^/   /' "$work/sim.log"
jira_url="$(cat "$work/sim.url")"

export Data__Directory="$work/data"
export Jira__BaseUrl="$jira_url"
export Jira__Email="compliance-bot@example.com"
export Jira__ApiToken="demo-api-token"
export Webhook__Secret="demo-secret-$RANDOM$RANDOM"
export Rules__Path="config/rules.json"

echo "== Enabling project DEMO (On, safety class C); SANDBOX stays Off"
"${app[@]}" projects enable DEMO --safety-class C

echo "== Starting the tracker (serve)"
"${app[@]}" serve --urls "http://127.0.0.1:$APP_PORT" >"$work/serve.log" 2>&1 &
app_pid=$!
app_url=""
for _ in $(seq 1 240); do
  app_url="$(grep -o 'Now listening on: http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | head -n 1 | sed 's/^Now listening on: //')" || true
  [ -n "$app_url" ] && break
  kill -0 "$app_pid" 2>/dev/null || { echo "the tracker exited" >&2; exit 1; }
  sleep 0.5
done
[ -n "$app_url" ] || { echo "the tracker did not start listening" >&2; exit 1; }
echo "   listening on $app_url, Jira simulator on $jira_url"
"${sim[@]}" wait-url "$app_url/readyz" --timeout 120

echo "== Delivering the sample webhooks (signed with the webhook secret)"
"${sim[@]}" send --to "$app_url/webhooks/jira" --secret "$Webhook__Secret" --dir samples/webhooks
echo "== Jira retries one delivery (same webhook id): accepted, not processed twice"
"${sim[@]}" send --to "$app_url/webhooks/jira" --secret "$Webhook__Secret" --dir samples/webhooks --only 01-infusion-alarm.json
echo "== A forged webhook (wrong secret) is refused"
"${sim[@]}" send --to "$app_url/webhooks/jira" --secret "not-the-secret" --dir samples/webhooks --only 02-patient-export.json --id-prefix forged- || true

echo "== Waiting for the tracker, then the issue → sub-task tree in the simulated Jira"
"${sim[@]}" tree --jira "$jira_url" --await-read DEMO-1,DEMO-2,DEMO-3 --quiet 2 --timeout 120
echo
echo "DEMO-1 and DEMO-2 got one compliance sub-task per matched rule; DEMO-3 matched no rule; DEMO-4 is a"
echo "sub-task and DEMO-5 was created by the bot (both ignored); SANDBOX is not enabled."

echo
echo "== Someone edits DEMO-3: a status change is ignored (204), then its summary becomes a SOUP upgrade"
"${sim[@]}" edit --jira "$jira_url" --key DEMO-3 --status "In Progress" --to "$app_url/webhooks/jira" --secret "$Webhook__Secret"
"${sim[@]}" edit --jira "$jira_url" --key DEMO-3 --summary "Upgrade the open source OpenSSL library to 3.0.13" \
  --to "$app_url/webhooks/jira" --secret "$Webhook__Secret"
"${sim[@]}" tree --jira "$jira_url" --project DEMO --await-subtasks DEMO-3 --quiet 2 --timeout 120
echo
echo "DEMO-3 got the sub-task its new summary needs, after the edit; DEMO-1 and DEMO-2 are unchanged."
echo "== What the tracker logged about it (issue keys and rule ids only)"
grep -E "created [0-9]+ sub-task|DEMO-|SANDBOX-" "$work/serve.log" | sed 's/^/   /' | head -n 24 || true
