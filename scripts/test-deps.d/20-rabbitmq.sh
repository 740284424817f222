# shellcheck shell=bash
# RabbitMQ 3.10 with its AMQP 1.0 plugin (Debian rabbitmq-server), the generic AMQP 1.0
# broker the AMQP queue adapter's tests run against. Sourced by scripts/test.sh: idempotent,
# no `exit`. Exports:
#   MTC_TEST_AMQP_ADDRESS      amqp://guest:guest@127.0.0.1:5672
#   MTC_TEST_RABBITMQ_NODE     path of scripts/rabbitmq-node.sh; tests run
#                              "$MTC_TEST_RABBITMQ_NODE start|stop PORT" for a broker of their own
mtc_rabbitmq_up() {
  local repo port=5672
  repo=$(pwd)
  if ! command -v rabbitmq-server > /dev/null 2>&1; then
    echo "installing rabbitmq-server (apt)"
    if [ "$(id -u)" = 0 ]; then
      apt-get -o DPkg::Lock::Timeout=600 update -qq \
        && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends rabbitmq-server \
        || { echo "rabbitmq-server could not be installed" >&2; return 1; }
    else
      sudo apt-get -o DPkg::Lock::Timeout=600 update -qq \
        && sudo DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends rabbitmq-server \
        || { echo "rabbitmq-server could not be installed" >&2; return 1; }
    fi
    # The package starts a system node on 5672 where it can; ours runs on its own terms.
    (service rabbitmq-server stop || systemctl stop rabbitmq-server) > /dev/null 2>&1 || true
  fi
  bash "$repo/scripts/rabbitmq-node.sh" start "$port" || return 1
  export MTC_TEST_AMQP_ADDRESS="amqp://guest:guest@127.0.0.1:$port"
  export MTC_TEST_RABBITMQ_NODE="$repo/scripts/rabbitmq-node.sh"
  echo "RabbitMQ (AMQP 1.0) on 127.0.0.1:$port"
}
mtc_rabbitmq_up || echo "WARNING: RabbitMQ is not available; the AMQP tests will fail" >&2
