# shellcheck shell=bash
# Azurite's table service (npm azurite@3) for the Azure Table Storage adapter's tests.
# Sourced by scripts/test.sh: idempotent, no `exit`. Exports MTC_TEST_AZURITE_TABLES (a connection string).
mtc_azurite_up() {
  local repo tools port=10002
  repo=$(pwd)
  tools="$repo/.tools/azurite"
  if [ ! -x "$tools/node_modules/.bin/azurite-table" ]; then
    echo "installing azurite (npm) into .tools/azurite"
    mkdir -p "$tools"
    (cd "$tools" && npm install --no-audit --no-fund --silent azurite@3 > npm-install.log 2>&1) \
      || { echo "azurite could not be installed; see $tools/npm-install.log" >&2; return 1; }
  fi
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    mkdir -p "$tools/data"
    setsid "$tools/node_modules/.bin/azurite-table" --tableHost 127.0.0.1 --tablePort "$port" \
      --location "$tools/data" --silent --skipApiVersionCheck --loose > "$tools/azurite.log" 2>&1 < /dev/null &
    local i
    for i in $(seq 1 120); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
      sleep 0.5
    done
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "azurite-table did not answer on 127.0.0.1:$port; see $tools/azurite.log" >&2
      return 1
    fi
  fi
  export MTC_TEST_AZURITE_TABLES="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
  echo "Azurite tables on 127.0.0.1:$port"
}
mtc_azurite_up || echo "WARNING: Azurite is not available; the Azure Tables tests will fail" >&2
