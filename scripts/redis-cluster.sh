#!/usr/bin/env bash
# Local three-primary Redis Cluster on loopback for the @tingting-auth/redis cluster test.
#   scripts/redis-cluster.sh start   # idempotent: does nothing when the cluster is already ok
#   scripts/redis-cluster.sh stop    # shuts the nodes down and removes their data dirs
# Ports: REDIS_CLUSTER_PORTS (comma separated, default 7001,7002,7003). No persistence.
set -euo pipefail

IFS=',' read -r -a ports <<<"${REDIS_CLUSTER_PORTS:-7001,7002,7003}"
base="${TMPDIR:-/tmp}/tingting-auth-redis-cluster"

# Every node must say ok: right after `cluster create` each node learns the slot map by gossip,
# and a node that has not yet answers CLUSTERDOWN to the commands routed to it.
cluster_ok() {
  local port
  for port in "${ports[@]}"; do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
  done
}

case "${1:-}" in
  start)
    if cluster_ok; then echo "redis-cluster: already running (${ports[*]})"; exit 0; fi
    for port in "${ports[@]}"; do
      if ! redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
        mkdir -p "$base/$port"
        redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --cluster-enabled yes \
          --cluster-config-file "nodes-$port.conf" --dir "$base/$port" --save '' --appendonly no \
          --logfile "$base/$port/redis.log"
      fi
    done
    for port in "${ports[@]}"; do
      for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    done
    if ! cluster_ok; then
      nodes=()
      for port in "${ports[@]}"; do nodes+=("127.0.0.1:$port"); done
      redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >/dev/null
    fi
    for _ in $(seq 300); do cluster_ok && break; sleep 0.1; done
    cluster_ok || { echo "redis-cluster: cluster_state is not ok" >&2; exit 1; }
    echo "redis-cluster: started (${ports[*]})"
    ;;
  stop)
    for port in "${ports[@]}"; do
      redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    done
    rm -rf "$base"
    echo "redis-cluster: stopped"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
