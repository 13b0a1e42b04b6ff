#!/usr/bin/env bash
# The demo mesh: a discovery server and three kubespand nodes, each in its own
# network namespace on one bridge, left running for exploration. Running it
# again replaces the previous demo. `make demo-down` removes everything.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
demo=/run/kubespan-demo
nodes=(n1 n2 n3)
subnet=10.99.0

bash scripts/demo-down.sh >/dev/null 2>&1 || true
mkdir -p "$demo"
chmod 700 "$demo"

ip netns add ksdemo-hub
ip -n ksdemo-hub link set lo up
ip -n ksdemo-hub link add br0 type bridge
ip -n ksdemo-hub address add "$subnet.254/24" dev br0
ip -n ksdemo-hub link set br0 up

secret=$(head -c 32 /dev/urandom | base64)
cluster="demo-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
setsid ip netns exec ksdemo-hub node "$root/dist/src/bin/kubespan-discovery.js" \
  --addr="$subnet.254:3000" --landing-addr= --metrics-addr= --snapshots-enabled=false \
  >"$demo/discovery.log" 2>&1 </dev/null &

i=0
for n in "${nodes[@]}"; do
  i=$((i + 1))
  ns="ksdemo-$n"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "ksdemo-h$i" netns ksdemo-hub type veth peer name eth0 netns "$ns"
  ip -n ksdemo-hub link set "ksdemo-h$i" master br0 up
  ip -n "$ns" address add "$subnet.$i/24" dev eth0 nodad
  ip -n "$ns" link set eth0 up
  mkdir -p "$demo/$n"
  cat >"$demo/$n/config.yaml" <<YAML
clusterID: $cluster
clusterSecret: $secret
discovery:
  endpoints: ["http://$subnet.254:3000"]
node:
  nodename: $n
kubespan:
  interface: ksdemo$i
stateDir: $demo/$n/state
api:
  socket: $demo/$n/kubespand.sock
metrics:
  address: ""
YAML
  chmod 600 "$demo/$n/config.yaml"
  setsid ip netns exec "$ns" node "$root/dist/src/bin/kubespand.js" --config "$demo/$n/config.yaml" \
    >"$demo/$n/kubespand.log" 2>&1 </dev/null &
done

ctl() { node "$root/dist/src/bin/kubespanctl.js" --socket "$demo/$1/kubespand.sock" "${@:2}"; }

echo "waiting for the mesh to come up..."
for _ in $(seq 1 120); do
  up=0
  for n in "${nodes[@]}"; do
    count=$(ctl "$n" get peers -o json 2>/dev/null | grep -o '"state": *"up"' | wc -l || true)
    [ "$count" -eq $((${#nodes[@]} - 1)) ] && up=$((up + 1))
  done
  [ "$up" -eq ${#nodes[@]} ] && break
  sleep 0.5
done

for n in "${nodes[@]}"; do
  echo
  echo "=== kubespanctl status on $n"
  ctl "$n" status || true
done

echo
echo "=== ping matrix over the KubeSpan addresses (ok = 3 of 3 replies)"
declare -A addr
for n in "${nodes[@]}"; do
  addr[$n]=$(ctl "$n" get identity -o json | sed -n 's/.*"address": *"\([^"]*\)".*/\1/p' | head -1)
done
printf '%-6s' "from"
for to in "${nodes[@]}"; do printf '%-6s' "$to"; done
echo
for from in "${nodes[@]}"; do
  printf '%-6s' "$from"
  for to in "${nodes[@]}"; do
    if [ "$from" = "$to" ]; then printf '%-6s' "-"; continue; fi
    if ip netns exec "ksdemo-$from" ping -6 -c 3 -i 0.2 -W 1 "${addr[$to]}" >/dev/null 2>&1; then
      printf '%-6s' "ok"
    else
      printf '%-6s' "FAIL"
    fi
  done
  echo
done

cat <<MSG

The demo mesh is running. Explore it with, for example:
  node $root/dist/src/bin/kubespanctl.js --socket $demo/n1/kubespand.sock status
Logs are in $demo/<node>/kubespand.log. Remove everything with:
  make demo-down
MSG
