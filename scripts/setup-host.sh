#!/usr/bin/env bash
# Installs the Debian packages kubespan-node needs at run and test time, only
# when missing. --no-install-recommends matters: without it wireguard-tools
# pulls in a kernel image.
set -euo pipefail
# zsh only runs the completion test of kubespanctl.
packages=(wireguard-go wireguard-tools nftables iproute2 iputils-ping zsh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi
echo "setup-host: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
