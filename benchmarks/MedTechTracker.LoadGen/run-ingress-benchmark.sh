#!/usr/bin/env bash
# The ingress benchmark in one run: `serve` on the embedded SQLite queue with the no-op endpoint enabled,
# a stub answering Jira's /myself (unknown projects are Off, so the worker never calls Jira), then
# medtech-loadgen --suite: no-op flat out (the ceiling), webhook flat out, webhook at RATE/s.
# Usage: benchmarks/MedTechTracker.LoadGen/run-ingress-benchmark.sh [DURATION_SECONDS] [RATE] [CONNECTIONS] [ROLE]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${1:-10}
RATE=${2:-500}
CONNECTIONS=${3:-32}
ROLE=${4:-serve}
PORT=${PORT:-5180}
JIRA_PORT=${JIRA_PORT:-5181}
SECRET=bench-secret-not-for-production

dotnet build src/MedTechTracker -c Release -v q -nologo >/dev/null
dotnet build benchmarks/MedTechTracker.LoadGen -c Release -v q -nologo >/dev/null

work=$(mktemp -d)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -n "${jira_pid:-}" ] && kill "$jira_pid" 2>/dev/null && wait "$jira_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$JIRA_PORT" >"$work/jira.log" 2>&1 <<'PY' &
import http.server, sys
class Stub(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"accountId":"557058:bench-bot","displayName":"bench bot"}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Stub).serve_forever()
PY
jira_pid=$!

Webhook__Secret=$SECRET Benchmark__NoOpEndpoint=true Data__Directory="$work/data" \
Jira__BaseUrl="http://127.0.0.1:$JIRA_PORT" Jira__Email=bench@example.com Jira__ApiToken=bench \
Logging__LogLevel__Default=Warning \
  dotnet src/MedTechTracker/bin/Release/net10.0/medtech-tracker.dll "$ROLE" --urls "http://127.0.0.1:$PORT" >"$work/serve.log" 2>&1 &
serve_pid=$!

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "serve did not become ready"; cat "$work/serve.log"; exit 1; }

echo "role: $ROLE, commit $(git rev-parse --short HEAD), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet benchmarks/MedTechTracker.LoadGen/bin/Release/net10.0/medtech-loadgen.dll \
  --suite "http://127.0.0.1:$PORT/benchmark/noop" --url "http://127.0.0.1:$PORT/webhooks/jira" --secret "$SECRET" \
  --duration "$DURATION" --rate "$RATE" --connections "$CONNECTIONS" --warmup 2
echo "serve resident memory after the run: $(( $(awk '/VmRSS/ {print $2}' /proc/$serve_pid/status) / 1024 )) MB; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -fs "http://127.0.0.1:$PORT/readyz" | tr -d '\n ' | head -c 400; echo
