#!/usr/bin/env bash
# Runs one throw-away RabbitMQ node with the AMQP 1.0 plugin on loopback, as the
# non-root "rabbitmq" user. Used by scripts/test-deps.d/20-rabbitmq.sh (the shared test
# broker) and by tests that restart a broker of their own.
#   rabbitmq-node.sh start|stop|status PORT [DIR]
# DIR defaults to /tmp/mtc-rabbitmq-PORT (the rabbitmq user must be able to reach it,
# which rules out paths under /root or a private worktree). Node name: mtc<PORT>@localhost.
set -euo pipefail
action=${1:?usage: rabbitmq-node.sh start|stop|status PORT [DIR]}
port=${2:?port}
dir=${3:-/tmp/mtc-rabbitmq-$port}
node="mtc$port@localhost"
# Erlang distribution (CLI tools) listens on a port of its own: kept next to the AMQP one, unique per node.
if [ "$port" -le 45535 ]; then dist_port=$((port + 20000)); else dist_port=$((port - 20000)); fi

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

as_broker_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u rabbitmq -- env "$@"; else env "$@"; fi
}

case "$action" in
  start)
    if answers; then exit 0; fi
    mkdir -p "$dir/mnesia" "$dir/log"
    echo '[rabbitmq_amqp1_0].' > "$dir/enabled_plugins"
    printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' "$port" > "$dir/rabbitmq.conf"
    [ -f "$dir/.erlang.cookie" ] || { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/.erlang.cookie"; chmod 400 "$dir/.erlang.cookie"; }
    if [ "$(id -u)" = 0 ]; then chown -R rabbitmq:rabbitmq "$dir"; fi
    as_broker_user RABBITMQ_NODENAME="$node" RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$dir/log" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
      RABBITMQ_FEATURE_FLAGS_FILE="$dir/ff" RABBITMQ_PID_FILE="$dir/pid" HOME="$dir" \
      RABBITMQ_NODE_PORT="$port" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_DIST_PORT="$dist_port" \
      setsid rabbitmq-server > "$dir/console.log" 2>&1 < /dev/null &
    for _ in $(seq 1 240); do
      if answers; then exit 0; fi
      sleep 0.5
    done
    echo "RabbitMQ did not answer on 127.0.0.1:$port within 120 s; see $dir/log and $dir/console.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/pid" ]; then
      pid=$(cat "$dir/pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 120); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/pid"
    fi
    for _ in $(seq 1 60); do
      answers || exit 0
      sleep 0.5
    done
    echo "RabbitMQ on 127.0.0.1:$port did not stop" >&2
    exit 1
    ;;
  status)
    answers
    ;;
  *)
    echo "usage: rabbitmq-node.sh start|stop|status PORT [DIR]" >&2
    exit 2
    ;;
esac
