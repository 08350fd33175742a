#!/usr/bin/env bash
# Installs the Debian packages fwc needs to build and test, only those missing.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libfmt-dev catch2
  libnftnl-dev libmnl-dev libpcap-dev
  # run and test
  nftables iptables ipset firewalld ufw iproute2 python3 man-db groff-base time
  python3-jsonschema python3-botocore
  nmap
  # the Ansible collection (ansible/) and its lab test
  ansible openssh-server
  # promtool (checks the Prometheus textfile of `fwc status`)
  prometheus
  # schema checks (SARIF, policy JSON Schema), packaging, fuzzing (libFuzzer)
  python3-jsonschema python3-yaml dpkg binutils systemd zsh lintian clang-14 libclang-rt-14-dev
  # static analysis (scripts/tidy.sh)
  clang-tidy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root (or with sudo) to install them" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
