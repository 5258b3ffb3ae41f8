#!/usr/bin/env bash
# tools/deps.sh - install the host packages kipc needs (Debian 12, run as root).
#
# Usage: tools/deps.sh [--check]
#
#   Idempotent: queries dpkg for every required package and only when
#   something is missing runs `apt-get update` (at most once) and
#   `apt-get install -y --no-install-recommends` of the missing packages.
#   Besides the fixed list it installs the newest
#   linux-headers-6.12.<N>+deb12-amd64 (never the linux-headers-6.12-amd64
#   meta package, which would pull in a kernel image + initramfs rebuild).
#   Works without a tty/stdin (CI).  Progress goes to stderr.
#
#   --check   only report what is missing; exit 1 if anything is.
set -euo pipefail

PKGS=(
  qemu-system-x86 busybox-static cpio linux-headers-amd64
  linux-source-6.1 linux-source-6.12 liburing-dev sparse build-essential
  bc flex bison libelf-dev libssl-dev xz-utils pkg-config gnuplot-nox
  mandoc kmod dwarves python3 perl
)

check_only=0
case "${1:-}" in
  --check) check_only=1 ;;
  -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "deps.sh: unknown argument: $1" >&2; exit 2 ;;
esac

log() { echo "deps: $*" >&2; }

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef
          -o Dpkg::Options::=--force-confold)

installed() { # pkg -> 0 if installed
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == ii* ]]
}

updated=0
apt_update() {
  if [[ $updated -eq 0 ]]; then
    log "apt-get update"
    apt-get update -q </dev/null >&2
    updated=1
  fi
}

# Newest linux-headers-6.12.N+deb12-amd64 known to apt (prints nothing if none).
newest_612_headers() {
  apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' 2>/dev/null \
    | awk '{print $1}' | sort -V | tail -n1
}
# Newest installed one (prints nothing if none).
installed_612_headers() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'linux-headers-6.12.*+deb12-amd64' 2>/dev/null \
    | awk '$1 ~ /^ii/ {print $2}' | grep -E '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' \
    | sort -V | tail -n1 || true
}

missing=()
for p in "${PKGS[@]}"; do
  installed "$p" || missing+=("$p")
done

h612=$(installed_612_headers)
if [[ -z "$h612" ]]; then
  if [[ $check_only -eq 1 ]]; then
    missing+=("linux-headers-6.12.<N>+deb12-amd64")
  else
    # Fresh lists first: a stale list may name a version the mirror has
    # dropped.
    apt_update
    cand=$(newest_612_headers)
    if [[ -z "$cand" ]]; then
      log "ERROR: no linux-headers-6.12.<N>+deb12-amd64 package available from apt"
      exit 1
    fi
    missing+=("$cand")
  fi
fi

if ((${#missing[@]} == 0)); then
  log "all packages present (6.12 headers: $h612)"
  exit 0
fi

if [[ $check_only -eq 1 ]]; then
  log "missing: ${missing[*]}"
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
  log "ERROR: missing packages (${missing[*]}) and not running as root"
  exit 1
fi

log "missing: ${missing[*]}"
apt_update
log "apt-get install ${missing[*]}"
apt-get install "${APT_OPTS[@]}" "${missing[@]}" </dev/null >&2

# Verify.
still=()
for p in "${missing[@]}"; do installed "$p" || still+=("$p"); done
if ((${#still[@]})); then
  log "ERROR: still missing after install: ${still[*]}"
  exit 1
fi
log "done"
