#!/usr/bin/env bash
# tools/vm/debug-kernel.sh - build (once, cached) a 6.1 debug kernel for kipc tests.
#
# Usage: tools/vm/debug-kernel.sh [--force] [--print]
#
#   Extracts Debian's /usr/src/linux-source-6.1.tar.xz into
#   .cache/debug/.pc/linux-6.1 (symlink: .cache/debug/linux-6.1; see TREE
#   below for why) and builds it in-tree with:
#     x86_64 defconfig + kvm_guest.config + KASAN (generic, inline),
#     PROVE_LOCKING, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, DEBUG_KMEMLEAK,
#     UBSAN, DEBUG_OBJECTS, hung-task/soft-lockup detection, no debug info,
#     and with DRM/sound/wireless/USB/most NIC drivers trimmed away.
#   Produces arch/x86/boot/bzImage, vmlinux, Module.symvers and a prepared
#   tree, so external modules build with `make -C $KDIR M=...`
#   (KDIR from `tools/vm/kver.sh debug`).
#
#   The build is skipped when <tree>/.kipc-built matches the
#   wanted configuration fragment (so re-running is a fast no-op).
#   --force   rebuild even if the stamp says it is up to date
#   --print   only print the tree path (no build)
#
#   Long-running (~15-20 min on 2 cores); run it in the background, e.g.
#     nohup tools/vm/debug-kernel.sh > .cache/debug/build.log 2>&1 &
#   A lock (.cache/debug/.lock) serialises concurrent invocations.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DBG="$ROOT/.cache/debug"
# The tree lives in a directory named ".pc": kbuild's `make M=<repo root> clean`
# runs `find <repo root> ... -delete` over every *.o/*.a/.*.cmd/modules.order
# below the repo (including .cache/), but prunes directories named .pc/.git/...
# (RCS_FIND_IGNORE) and does not follow symlinks.  .cache/debug/linux-6.1 is a
# convenience symlink to the real tree.
TREE="$DBG/.pc/linux-6.1"
LINK="$DBG/linux-6.1"
TARBALL=${KIPC_LINUX_SRC_61:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${JOBS:-$(nproc)}
LOCALVERSION=-kipc-debug

force=0
case "${1:-}" in
  --force) force=1 ;;
  --print) echo "$TREE"; exit 0 ;;
  -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "debug-kernel.sh: unknown argument: $1" >&2; exit 2 ;;
esac

log() { echo "debug-kernel: $*" >&2; }

# Options: "-e X" enable, "-d X" disable, "--set-val X V", "--set-str X S".
# Keep this list in the stamp so that changing it triggers a rebuild.
OPTS=(
  # needed for modules and the test environment
  -e MODULES -e MODULE_UNLOAD -e MODULE_FORCE_UNLOAD -d MODULE_SIG
  -d MODVERSIONS
  -e DEVTMPFS -e DEVTMPFS_MOUNT -e BLK_DEV_INITRD -e RD_GZIP
  -e SERIAL_8250 -e SERIAL_8250_CONSOLE
  -e TMPFS -e TMPFS_POSIX_ACL -e SHMEM -e POSIX_MQUEUE -e SYSVIPC
  -e FUTEX -e EPOLL -e EVENTFD -e SIGNALFD -e TIMERFD -e AIO -e IO_URING
  -e PROC_FS -e SYSFS -e DEBUG_FS -e DEBUG_FS_ALLOW_ALL -e MAGIC_SYSRQ
  -e BINFMT_ELF -e BINFMT_SCRIPT -e UNIX -e INET -e MEMCG -e CGROUPS
  -e USERFAULTFD -e KALLSYMS -e KALLSYMS_ALL -e PRINTK_TIME
  -e STACKTRACE
  --set-str LOCALVERSION "$LOCALVERSION" -d LOCALVERSION_AUTO
  # debug information: none (build speed); do not panic on oops
  -e DEBUG_INFO_NONE -d DEBUG_INFO -d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5
  -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_BTF
  -d PANIC_ON_OOPS -d BOOTPARAM_HUNG_TASK_PANIC -d BOOTPARAM_SOFTLOCKUP_PANIC
  -d WERROR
  # sanitizers / checkers
  -e KASAN -e KASAN_GENERIC -e KASAN_INLINE -d KASAN_OUTLINE -e KASAN_VMALLOC
  -d KASAN_KUNIT_TEST -d KASAN_MODULE_TEST
  -e UBSAN -e UBSAN_BOUNDS -e UBSAN_SHIFT -e UBSAN_DIV_ZERO -e UBSAN_BOOL
  -e UBSAN_ENUM -d UBSAN_ALIGNMENT -d UBSAN_TRAP -e UBSAN_SANITIZE_ALL
  -d TEST_UBSAN
  -e PROVE_LOCKING -e DEBUG_LOCK_ALLOC -e DEBUG_SPINLOCK -e DEBUG_MUTEXES
  -e DEBUG_RWSEMS -e DEBUG_WW_MUTEX_SLOWPATH -e DEBUG_ATOMIC_SLEEP
  -e PROVE_RCU -e DEBUG_LIST -e DEBUG_PLIST -e DEBUG_SG -e DEBUG_NOTIFIERS
  -e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_DEFAULT_OFF -d DEBUG_KMEMLEAK_AUTO_SCAN
  -d DEBUG_KMEMLEAK_TEST --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 65536
  -e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_TIMERS
  -e DEBUG_OBJECTS_WORK -e DEBUG_OBJECTS_RCU_HEAD
  -e DEBUG_OBJECTS_PERCPU_COUNTER
  -e DETECT_HUNG_TASK --set-val DEFAULT_HUNG_TASK_TIMEOUT 120
  -e SOFTLOCKUP_DETECTOR -d HARDLOCKUP_DETECTOR -e WQ_WATCHDOG
  -e SCHED_STACK_END_CHECK -e DEBUG_VM -e FORTIFY_SOURCE
  -e HARDENED_USERCOPY -e LOCKUP_DETECTOR
  # trimming (none of this is needed in a serial-console initramfs guest)
  -d DRM -d FB -d AGP -d SOUND -d SND -d WIRELESS -d WLAN -d CFG80211
  -d MAC80211 -d RFKILL -d USB_SUPPORT -d USB -d BT -d NFC -d WIMAX
  -d INFINIBAND -d MEDIA_SUPPORT -d NETFILTER -d IP_NF_IPTABLES
  -d NET_VENDOR_INTEL -d NET_VENDOR_BROADCOM -d NET_VENDOR_REALTEK
  -d NET_VENDOR_AMD -d NET_VENDOR_NVIDIA -d NET_VENDOR_MARVELL
  -d NET_VENDOR_MELLANOX -d NET_VENDOR_QLOGIC -d NET_VENDOR_DEC
  -d NET_VENDOR_3COM -d NET_VENDOR_8390 -d FDDI -d HAMRADIO -d CAN
  -d IWLWIFI -d ATA -d SCSI -d MD -d BLK_DEV_DM -d FIREWIRE -d PCMCIA
  -d PCCARD -d EFI -d HIBERNATION -d ACPI_BGRT -d CPU_FREQ -d AUTOFS_FS
  -d EXT4_FS -d NFS_FS -d ROOT_NFS -d QUOTA -d ISO9660_FS -d VFAT_FS
  -d MSDOS_FS -d NETLABEL -d CRYPTO_DEV_PADLOCK -d KVM
  -d INPUT_MOUSE -d INPUT_JOYSTICK -d INPUT_TABLET -d INPUT_TOUCHSCREEN
  -d HID -d HWMON -d THERMAL -d WATCHDOG -d I2C -d SPI -d GPIOLIB
  -d LOGO -d VGA_CONSOLE -d DUMMY_CONSOLE -d FRAMEBUFFER_CONSOLE
)
want_stamp=$(printf '%s\n' "$(sha256sum "$TARBALL" | cut -c1-16)" "${OPTS[@]}" | sha256sum | cut -d' ' -f1)

mkdir -p "$DBG"
exec 9>"$DBG/.lock"
if ! flock -n 9; then
  log "another build holds $DBG/.lock; waiting"
  flock 9
fi

if [[ $force -eq 0 && -f "$TREE/.kipc-built" && "$(cat "$TREE/.kipc-built")" == "$want_stamp" \
      && -f "$TREE/arch/x86/boot/bzImage" && -f "$TREE/Module.symvers" ]]; then
  log "up to date: $TREE ($(make -s -C "$TREE" kernelrelease 2>/dev/null || echo '?'))"
  exit 0
fi

[[ -r "$TARBALL" ]] || { log "missing $TARBALL (run tools/deps.sh)"; exit 1; }

start=$(date +%s)
if [[ ! -f "$TREE/Makefile" ]]; then
  log "extracting $TARBALL into $TREE"
  rm -rf "$TREE.tmp"
  mkdir -p "$TREE.tmp"
  tar -xJf "$TARBALL" -C "$TREE.tmp" --strip-components=1 --no-same-owner
  mv "$TREE.tmp" "$TREE"
fi
if [[ ! -L "$LINK" ]]; then
  rm -rf "$LINK"
  ln -s .pc/linux-6.1 "$LINK"
fi
rm -f "$TREE/.kipc-built"

cd "$TREE"
log "configuring (defconfig + kvm_guest.config + debug options)"
make -s defconfig
make -s kvm_guest.config
scripts/config --file .config "${OPTS[@]}"
make -s olddefconfig
# A few options only become selectable once their dependencies are resolved;
# apply the list once more and settle again.
scripts/config --file .config "${OPTS[@]}"
make -s olddefconfig

missing=()
for o in KASAN KASAN_GENERIC PROVE_LOCKING DEBUG_ATOMIC_SLEEP DEBUG_LIST DEBUG_KMEMLEAK \
         UBSAN IO_URING MODULES MODULE_UNLOAD DEVTMPFS BLK_DEV_INITRD \
         SERIAL_8250_CONSOLE TMPFS POSIX_MQUEUE SYSVIPC FUTEX EPOLL EVENTFD DEBUG_FS \
         DEBUG_INFO_NONE; do
  grep -qx "CONFIG_$o=y" .config || missing+=("$o")
done
if grep -qx 'CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF=y' .config; then missing+=("!DEBUG_KMEMLEAK_DEFAULT_OFF"); fi
if ((${#missing[@]})); then
  log "required options not set after olddefconfig: ${missing[*]}"
  exit 1
fi

log "building with -j$JOBS (bzImage, modules, Module.symvers)"
make -j"$JOBS" all
make -j"$JOBS" modules_prepare
[[ -f Module.symvers ]] || { log "Module.symvers missing after build"; exit 1; }
echo "$want_stamp" > .kipc-built
log "done in $(( $(date +%s) - start ))s: $TREE/arch/x86/boot/bzImage ($(make -s kernelrelease))"
