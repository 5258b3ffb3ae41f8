#!/usr/bin/env bash
# tools/vm/run.sh - run a command inside a throw-away QEMU guest (kipc tests).
#
# Usage:
#   tools/vm/run.sh [options] -- COMMAND [ARGS...]
#
# Options:
#   --kernel 6.1|6.12|debug  guest kernel (default 6.1). 6.1/6.12 are the Debian
#                            kernels matching the installed headers (see kver.sh;
#                            the image is fetched with apt-get download and cached
#                            in .cache/vm/<krel>/); debug is the KASAN/lockdep/
#                            kmemleak kernel built by tools/vm/debug-kernel.sh.
#   --timeout SEC            wall-clock limit for the whole VM (default 600).
#                            The guest kills the command a bit earlier (tail of
#                            max(20, SEC/10) s, >= 90 s for debug) so that its
#                            dmesg still arrives; a sysrq-w dump is taken first.
#   --icount                 deterministic TCG (-icount shift=0, single-threaded
#                            TCG). Boots with 1 CPU unless --smp 2 is given, in
#                            which case the kernel boots with maxcpus=1 and /init
#                            onlines the other CPUs (icount hangs otherwise).
#   --smp N                  number of vCPUs (default 2; 1 with --icount)
#   --mem MB                 guest RAM (default 1024)
#   --add HOST[=GUEST]       copy a file or directory into the initramfs (repeat).
#                            Default guest path /kipc/<basename>; a relative GUEST
#                            is taken relative to /kipc. Shared libraries needed by
#                            added ELF executables/.so files (ldd) are added too.
#   --out HOSTDIR            after the command, copy the guest's /out (mode 1777)
#                            into HOSTDIR (created if needed).
#   --append "ARGS"          extra kernel command-line arguments.
#   --verbose                show all kernel messages live on the console
#                            (default: only loglevel < 4, i.e. errors and worse).
#   --log FILE               console log path (default .cache/vm/logs/<...>.log)
#   --no-check               do not fail on kernel warnings found in dmesg.
#   -h, --help               this text.
#
# Environment:
#   KIPC_VM_KVM=1   try KVM (after a probe boot with a hard timeout); default TCG.
#   QEMU            qemu binary (default qemu-system-x86_64).
#
# Guest environment: busybox (static) userland, / is the initramfs (tmpfs);
#   /proc /sys /dev (devtmpfs) /dev/pts /dev/shm /dev/mqueue /sys/kernel/debug
#   /tmp /sys/fs/cgroup are mounted; lo is up; /etc/passwd has root (0) and
#   nobody (65534, group nogroup 65534). COMMAND runs via /bin/sh in /kipc,
#   stdin </dev/null, PATH=/kipc:/usr/sbin:/usr/bin:/sbin:/bin, in its own
#   session. /out is world-writable.
#
# Output: the serial console streams live to stdout and is saved to the log
#   file (path printed on stderr at the end). After the command, the guest
#   prints kmemleak results (if available) and the full dmesg between marker
#   lines, then its exit status.
#
# Exit status:
#   the command's exit status when the kernel stayed clean, otherwise
#   123  kernel problem found in the guest dmesg (BUG/WARNING/KASAN/lockdep/...)
#   124  timeout (host or guest side)
#   125  guest crashed / panicked / no exit marker
#   1    host-side failure (kernel fetch, qemu start), 2 usage error.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMDIR="$ROOT/tools/vm"
CACHE="$ROOT/.cache/vm"
QEMU=${QEMU:-qemu-system-x86_64}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { echo "run.sh: $*" >&2; exit 1; }
say() { echo "run.sh: $*" >&2; }

kernel=6.1 timeout=600 icount=0 smp="" mem=1024 outdir="" append="" verbose=0
logfile="" check=1
adds=()
while (($#)); do
  case "$1" in
    --kernel) kernel=${2:?}; shift 2 ;;
    --kernel=*) kernel=${1#*=}; shift ;;
    --timeout) timeout=${2:?}; shift 2 ;;
    --timeout=*) timeout=${1#*=}; shift ;;
    --icount) icount=1; shift ;;
    --smp) smp=${2:?}; shift 2 ;;
    --smp=*) smp=${1#*=}; shift ;;
    --mem) mem=${2:?}; shift 2 ;;
    --mem=*) mem=${1#*=}; shift ;;
    --add) adds+=("${2:?}"); shift 2 ;;
    --add=*) adds+=("${1#*=}"); shift ;;
    --out) outdir=${2:?}; shift 2 ;;
    --out=*) outdir=${1#*=}; shift ;;
    --append) append=${2?}; shift 2 ;;
    --append=*) append=${1#*=}; shift ;;
    --verbose) verbose=1; shift ;;
    --log) logfile=${2:?}; shift 2 ;;
    --log=*) logfile=${1#*=}; shift ;;
    --no-check) check=0; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if (($# == 0)); then echo "run.sh: missing -- COMMAND (see --help)" >&2; exit 2; fi
[[ "$timeout" =~ ^[0-9]+$ && "$timeout" -ge 10 ]] || { echo "run.sh: bad --timeout" >&2; exit 2; }
[[ "$mem" =~ ^[0-9]+$ ]] || { echo "run.sh: bad --mem" >&2; exit 2; }
[[ -z "$smp" || "$smp" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: bad --smp" >&2; exit 2; }
if [[ -z "$smp" ]]; then
  if ((icount)); then smp=1; else smp=2; fi
fi

# ---------------------------------------------------------------- kernel image
kv=$("$VMDIR/kver.sh" "$kernel") || exit 1
KREL=$(sed -n 's/^KREL=//p' <<<"$kv")
mkdir -p "$CACHE/logs" "$CACHE/tmp"

fetch_kernel() { # krel -> prints path of vmlinuz (cached in .cache/vm/<krel>/)
  local krel=$1 dir="$CACHE/$1" tmp pkg deb ok=0
  local img="$dir/boot/vmlinuz-$krel"
  exec 8>"$CACHE/.fetch-$krel.lock"
  flock 8
  if [[ ! -s "$img" ]]; then
    tmp=$(mktemp -d "$CACHE/tmp/dl.XXXXXX")
    for attempt in 1 2; do
      for pkg in "linux-image-$krel-unsigned" "linux-image-$krel"; do
        say "fetching $pkg (apt-get download)"
        if (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" </dev/null >&2); then
          ok=1; break 2
        fi
      done
      if ((attempt == 1)); then say "apt-get update and retry"; apt-get update -q </dev/null >&2 || true; fi
    done
    if ((ok == 0)); then rm -rf "$tmp"; die "cannot download a kernel image for $krel"; fi
    deb=$(ls "$tmp"/*.deb)
    mkdir -p "$tmp/x"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" --wildcards --no-same-owner './boot/*'
    [[ -s "$tmp/x/boot/vmlinuz-$krel" ]] || { rm -rf "$tmp"; die "no boot/vmlinuz-$krel in $deb"; }
    mkdir -p "$dir/boot"
    cp "$tmp"/x/boot/* "$dir/boot/"
    rm -rf "$tmp"
    say "cached $img"
  fi
  exec 8>&-
  echo "$img"
}

if [[ "$kernel" == debug ]]; then
  KDIR=$(sed -n 's/^KDIR=//p' <<<"$kv")
  kimage="$KDIR/arch/x86/boot/bzImage"
  [[ -s "$kimage" ]] || die "debug kernel not built ($kimage); run tools/vm/debug-kernel.sh"
else
  kimage=$(fetch_kernel "$KREL")
fi

# ---------------------------------------------------------------- initramfs
work=$(mktemp -d "$CACHE/tmp/run.XXXXXX")
qpid=""
# shellcheck disable=SC2317  # invoked via trap
on_exit() {
  if [[ -n "$qpid" ]]; then kill -TERM "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
st="$work/root"
mkdir -p "$st"/{bin,sbin,usr/bin,usr/sbin,etc/kipc,proc,sys,dev,tmp,root,kipc,out,run,var}
chmod 1777 "$st/tmp" "$st/out"

BUSYBOX=${BUSYBOX:-/bin/busybox}
[[ -x "$BUSYBOX" ]] || die "busybox not found (install busybox-static)"
if ldd "$BUSYBOX" >/dev/null 2>&1; then die "$BUSYBOX is not static (install busybox-static)"; fi
cp "$BUSYBOX" "$st/bin/busybox"
while read -r applet; do
  [[ -n "$applet" && "$applet" != bin/busybox ]] || continue
  [[ -e "$st/$applet" ]] && continue
  mkdir -p "$st/$(dirname "$applet")"
  ln -s /bin/busybox "$st/$applet"
done < <("$st/bin/busybox" --list-full)

# Mirror a merged-/usr host so that library paths printed by ldd work.
for d in lib lib64; do
  if [[ -L "/$d" ]]; then
    mkdir -p "$st/usr/$d"
    ln -s "usr/$d" "$st/$d"
  fi
done

declare -A copied_libs=()
add_lib() { # host path of a shared object -> same path in the guest
  local p=$1 real gdir
  [[ -n "${copied_libs[$p]:-}" ]] && return 0
  copied_libs[$p]=1
  [[ -e "$p" ]] || { say "warning: library $p not found on host"; return 0; }
  real="$(cd "$(dirname "$p")" && pwd -P)"   # resolve directory symlinks
  gdir="$st$real"
  mkdir -p "$gdir"
  [[ -e "$gdir/$(basename "$p")" ]] || cp -L "$p" "$gdir/$(basename "$p")"
}
is_elf() { [[ -f "$1" && "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" == '177ELF' ]]; }
need_libgcc=0
add_deps() { # file -> copy the shared libs it needs
  local f=$1 line p
  is_elf "$f" || return 0
  # only dynamic objects (ET_EXEC=2/ET_DYN=3 with an interpreter or DT_NEEDED)
  while read -r line; do
    p=""
    if [[ "$line" =~ =\>\ (/[^ ]+)\ \( ]]; then p=${BASH_REMATCH[1]}
    elif [[ "$line" =~ ^(/[^ ]+)\ \( ]]; then p=${BASH_REMATCH[1]}
    fi
    [[ -n "$p" ]] && { add_lib "$p"; need_libgcc=1; }
    if [[ "$line" == *"=> not found"* ]]; then say "warning: $f: $line"; fi
  done < <(ldd "$f" 2>/dev/null || true)
}
add_script_interp() { # "#!/bin/bash" etc. -> copy interpreter if not a busybox applet
  local f=$1 first interp
  [[ -f "$f" ]] || return 0
  IFS= read -r first <"$f" 2>/dev/null || return 0
  [[ "$first" == '#!'* ]] || return 0
  interp=${first#'#!'}; interp=${interp#"${interp%%[! ]*}"}; interp=${interp%% *}
  [[ -z "$interp" || -e "$st$interp" ]] && return 0
  case "$interp" in
    /usr/bin/env) return 0 ;;
    *python*|*perl*) say "warning: $f needs $interp, not available in the guest"; return 0 ;;
  esac
  if is_elf "$interp"; then
    mkdir -p "$st$(dirname "$interp")"
    cp -L "$interp" "$st$interp"
    add_deps "$interp"
  fi
}

for spec in "${adds[@]}"; do
  if [[ "$spec" == *=* ]]; then hp=${spec%%=*} gp=${spec#*=}; else hp=$spec gp=""; fi
  [[ -e "$hp" ]] || die "--add: $hp does not exist"
  hp=${hp%/}
  [[ -n "$gp" ]] || gp="/kipc/$(basename "$hp")"
  [[ "$gp" == /* ]] || gp="/kipc/$gp"
  gp=${gp%/}
  mkdir -p "$st$(dirname "$gp")"
  rm -rf "${st:?}$gp"
  cp -RL --preserve=mode,timestamps "$hp" "$st$gp"
  while IFS= read -r -d '' f; do
    add_deps "$f"
    [[ -x "$f" ]] && add_script_interp "$f"
  done < <(find "$st$gp" -type f -print0)
done
# glibc dlopen()s libgcc_s for pthread_cancel/unwinding.
if ((need_libgcc)); then
  for p in /lib/x86_64-linux-gnu/libgcc_s.so.1 /usr/lib/x86_64-linux-gnu/libgcc_s.so.1; do
    [[ -e "$p" ]] && { add_lib "$p"; break; }
  done
fi

cat >"$st/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$st/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
cat >"$st/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files
EOF
printf '127.0.0.1 localhost kipc-vm\n::1 localhost\n' >"$st/etc/hosts"
: >"$st/etc/fstab"

nonce="KIPC-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
M="@@$nonce@@"
# The guest kills the command at host start + timeout - tail, leaving time
# for kmemleak scans, the dmesg dump and poweroff (guest clock = host RTC).
tail_s=$(( timeout / 10 < 20 ? 20 : timeout / 10 ))
[[ "$kernel" == debug ]] && tail_s=$(( tail_s < 90 ? 90 : tail_s ))
(( tail_s > timeout / 2 )) && tail_s=$(( timeout / 2 ))
t0=$(date +%s)
guest_deadline=$(( t0 + timeout - tail_s ))
online_cpus=0
if ((icount && smp > 1)); then online_cpus=1; fi

{
  printf 'M=%q\n' "$M"
  printf 'GUEST_DEADLINE=%d\n' "$guest_deadline"
  printf 'ONLINE_CPUS=%d\n' "$online_cpus"
  printf 'WANT_OUT=%d\n' "$([[ -n "$outdir" ]] && echo 1 || echo 0)"
} >"$st/etc/kipc/config"

# The command, POSIX-quoted word by word.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
  echo 'cd /kipc || exit 1'
  for a in "$@"; do sq "$a"; printf ' '; done
  echo
} >"$st/etc/kipc/cmd"

cat >"$st/init" <<'INIT'
#!/bin/sh
# kipc test VM init (generated by tools/vm/run.sh)
export PATH=/kipc:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C
. /etc/kipc/config
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /tmp
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
hostname kipc-vm
ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up
if grep -q 'kipc.probe=1' /proc/cmdline; then
  echo "$M PROBE-OK"
  poweroff -f
fi
if [ "$ONLINE_CPUS" = 1 ]; then
  for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
    [ -e "$c" ] && echo 1 > "$c"
  done
fi
KML=/sys/kernel/debug/kmemleak
if [ -e $KML ]; then
  # forget leaks from boot; only report what the command causes
  echo scan > $KML 2>/dev/null; echo clear > $KML 2>/dev/null
fi
read -r up _ < /proc/uptime
echo "$M START uptime=$up cpus=$(grep -c ^processor /proc/cpuinfo) kernel=$(uname -r)"
setsid sh /etc/kipc/cmd </dev/null &
pid=$!
# wall clock: read the RTC itself (with -icount the system clock is virtual)
now() { cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null || date +%s; }
(
  while [ "$(now)" -lt "$GUEST_DEADLINE" ]; do sleep 1; done
  echo "$M GUEST-TIMEOUT (run.sh deadline reached), killing the command"
  echo 1 > /proc/sys/kernel/sysrq
  echo w > /proc/sysrq-trigger
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
) &
wd=$!
wait "$pid"
rc=$?
kill "$wd" 2>/dev/null
read -r up _ < /proc/uptime
echo "$M CMD-DONE rc=$rc uptime=$up"
sync
# keep kernel messages from interleaving with the sections below
echo 1 > /proc/sys/kernel/printk
if [ -e $KML ]; then
  sleep 6   # kmemleak ignores objects younger than 5 s
  echo scan > $KML; sleep 1; echo scan > $KML
  echo "$M KMEMLEAK-BEGIN"
  cat $KML
  echo "$M KMEMLEAK-END"
fi
echo "$M DMESG-BEGIN"
dmesg -s 16777216
echo "$M DMESG-END"
if [ "$WANT_OUT" = 1 ]; then
  echo "$M OUT-BEGIN"
  tar -C /out -czf - . | base64
  echo "$M OUT-END"
fi
echo "$M EXIT $rc"
sync
poweroff -f
sleep 5
echo 1 > /proc/sys/kernel/sysrq; echo o > /proc/sysrq-trigger
INIT
chmod 755 "$st/init"

initrd="$work/initrd.gz"
(cd "$st" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$initrd"

# ---------------------------------------------------------------- qemu
loglevel=4
((verbose)) && loglevel=7
cmdline="console=ttyS0,115200 loglevel=$loglevel panic=-1 log_buf_len=8M mitigations=off"
cmdline+=" rdinit=/init printk.devkmsg=on"
if ((online_cpus)); then cmdline+=" maxcpus=1"; fi
[[ -n "$append" ]] && cmdline+=" $append"

qargs=(-machine q35 -m "$mem" -smp "$smp" -nodefaults -no-user-config
       -display none -vga none -monitor none -serial stdio -nic none
       -no-reboot -kernel "$kimage" -initrd "$initrd")

kvm_ok() { # probe boot under KVM with a hard timeout
  [[ -w /dev/kvm ]] || return 1
  local out
  out=$(timeout -k 5 30 "$QEMU" "${qargs[@]}" -accel kvm -cpu host \
        -append "console=ttyS0 loglevel=1 panic=-1 kipc.probe=1" </dev/null 2>&1) || true
  grep -q "$M PROBE-OK" <<<"$out"
}
accel="TCG"
if [[ "${KIPC_VM_KVM:-0}" == 1 ]] && ((icount == 0)) && kvm_ok; then
  qargs+=(-accel kvm -cpu host)
  accel="KVM"
elif ((icount)); then
  qargs+=(-accel tcg -cpu max -icount shift=0)
  accel="TCG icount"
else
  [[ "${KIPC_VM_KVM:-0}" == 1 ]] && say "KVM probe failed; using TCG"
  qargs+=(-accel 'tcg,thread=multi' -cpu max)
fi

if [[ -z "$logfile" ]]; then
  logfile="$CACHE/logs/$(date +%Y%m%d-%H%M%S)-$kernel-$$.log"
fi
mkdir -p "$(dirname "$logfile")"
say "kernel $KREL ($kimage), $accel, smp=$smp mem=${mem}M timeout=${timeout}s"
say "log: $logfile"

set +e
# qemu's stdin is /dev/null: it never touches the terminal and works without a tty.
# timeout(1) runs qemu in its own process group and kills the whole group.
mkfifo "$work/console"
sed -u 's/\r$//' <"$work/console" | tee "$logfile" &
teepid=$!
timeout -k 10 "$timeout" "$QEMU" "${qargs[@]}" -append "$cmdline" \
  </dev/null >"$work/console" 2>"$work/qemu.err" &
qpid=$!
wait "$qpid"
qrc=$?
wait "$teepid"
qpid=""
set -e
t1=$(date +%s)
if [[ -s "$work/qemu.err" ]]; then
  grep -v 'module ui-ui-' "$work/qemu.err" >&2 || true
  cat "$work/qemu.err" >>"$logfile"
fi

# ---------------------------------------------------------------- verdict
section() { # name -> lines between "$M NAME-BEGIN" and "$M NAME-END"
  awk -v b="$M $1-BEGIN" -v e="$M $1-END" '
    index($0, e) { on = 0 } on { print } index($0, b) { on = 1 }' "$logfile"
}
exitline=$(grep -a "$M EXIT " "$logfile" | tail -n1 || true)
startline=$(grep -a "$M START " "$logfile" | tail -n1 || true)
doneline=$(grep -a "$M CMD-DONE " "$logfile" | tail -n1 || true)
grc=""
if [[ -n "$exitline" ]]; then grc=${exitline##*EXIT }; grc=${grc%%[^0-9]*}; fi

# Kernel problem patterns (extended regex, case-sensitive), checked on the
# guest dmesg + kmemleak report (or, if those never arrived, the whole log).
PATTERNS=(
  'BUG:'                              # BUG: KASAN/sleeping function/soft lockup/...
  'kernel BUG at'
  '\] BUG [^ ]+ \((Not t|T)ainted'    # SLUB debug
  'WARNING:'                          # WARN(): "WARNING: CPU: ..."; lockdep "WARNING: possible ..."
  'Oops'
  'general protection'
  'KASAN'
  'UBSAN'
  'possible circular locking'
  'possible recursive locking'
  'lockdep'
  'INFO: task .* blocked for more than'
  'INFO: (trying to register|possible irq|inconsistent|suspicious|rcu)'
  'rcu.* detected stall'
  'hard LOCKUP'
  'unreferenced object'               # kmemleak report (KMEMLEAK section)
  'ODEBUG:'
  'list_(add|del) corruption'
  'Kernel panic'
  'RIP:'
  'Call Trace:'
)
# Known-benign lines that would otherwise match.
IGNORE=(
  'lockdep: fixing up alternatives'
  'RCU lockdep checking is enabled'
  'Lock dependency validator'
  '... MAX_LOCKDEP_'
  '... CHAINHASH_'
  '... CLASSHASH_'
  'kmemleak: Kernel memory leak detector'
)
pat=$(IFS='|'; echo "${PATTERNS[*]}")

verdict=0
if [[ -n "$exitline" ]]; then
  scan_text=$(section KMEMLEAK; section DMESG)
else
  scan_text=$(cat "$logfile")
fi
hits=""
if ((check)); then
  hits=$(grep -aE -- "$pat" <<<"$scan_text" | grep -avF "$(printf '%s\n' "${IGNORE[@]}")" || true)
  hits=$(grep -avF "$M" <<<"$hits" || true)
fi

echo >&2
if [[ -n "$startline" ]]; then
  up=${startline#*uptime=}; up=${up%% *}
  say "boot: command started at guest uptime ${up}s"
fi
if [[ -n "$doneline" ]]; then say "command finished: ${doneline#*CMD-DONE }"; fi
say "wall time: $((t1 - t0)) s (qemu exit status $qrc)"

if [[ "$qrc" == 124 || "$qrc" == 137 ]]; then
  say "FAIL: timeout after ${timeout}s, qemu killed"
  verdict=124
elif grep -aq "$M GUEST-TIMEOUT" "$logfile"; then
  say "FAIL: command did not finish in time (run.sh --timeout $timeout) and was killed in the guest"
  verdict=124
elif [[ -z "$exitline" ]]; then
  if grep -aq 'Kernel panic' "$logfile"; then
    say "FAIL: guest kernel panicked"
  else
    say "FAIL: no exit marker from the guest (crash or early poweroff)"
  fi
  verdict=125
fi
if [[ -n "$hits" ]]; then
  say "FAIL: kernel problems in the guest dmesg/kmemleak report:"
  head -n 40 <<<"$hits" | sed 's/^/    /' >&2
  (( $(wc -l <<<"$hits") > 40 )) && say "    ... (see $logfile)"
  ((verdict == 0)) && verdict=123
fi

if [[ -n "$outdir" && -n "$exitline" ]]; then
  mkdir -p "$outdir"
  if section OUT | base64 -d 2>/dev/null | tar -xz -C "$outdir" --no-same-owner 2>"$work/out.err"; then
    say "guest /out extracted into $outdir"
  else
    say "warning: could not extract guest /out: $(head -c 300 "$work/out.err")"
  fi
fi

say "log: $logfile"
if ((verdict)); then exit "$verdict"; fi
say "guest command exit status: $grc"
exit "$grc"
