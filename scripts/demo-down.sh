#!/usr/bin/env bash
# Removes the demo mesh: its processes, namespaces (with their links, rules,
# routes and nftables tables), wireguard-go sockets and files.
set -uo pipefail
for ns in ksdemo-n1 ksdemo-n2 ksdemo-n3 ksdemo-hub; do
  if ip netns list | grep -qw "$ns"; then
    pids=$(ip netns pids "$ns")
    [ -n "$pids" ] && kill $pids 2>/dev/null
    sleep 0.5
    pids=$(ip netns pids "$ns")
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
    ip netns del "$ns"
  fi
done
rm -f /var/run/wireguard/ksdemo*.sock
rm -rf /run/kubespan-demo
echo "demo mesh removed"
