#!/bin/bash
# replay-live.sh - make check: scsiscope replay against live devices: a stock Debian kernel in QEMU (TCG) with usb-storage (BOT), usb-uas on EHCI and usb-uas on xHCI (streams), replaying scripts extracted from samples/.
#
# For each scenario the host extracts a script from the sample recorded on
# the same QEMU device (samples/SCENARIO.pcap), boots the guest
# (guest/init-replay) with the build's scsiscope and its libraries, and
# checks what the guest's replays left in /out:
#   - commands that change the medium or are vendor-specific are refused
#     without --allow-writes/--allow-vendor, nothing is sent, and the kernel
#     driver keeps the disk;
#   - with --skip-unsafe the WRITE(10) is skipped and its read-back differs;
#   - with --allow-writes every command answers as recorded (exit 0): reads
#     return the recorded data hashes, the WRITE is read back, the vendor
#     opcode C0h reproduces ILLEGAL REQUEST 05/20/00; the kernel driver has
#     the disk again afterwards;
#   - UAS on xHCI uses bulk streams;
#   - BOT: a CBW with a bad signature stalls and is recovered (reset
#     recovery), the commands after it answer;
#   - the --record pcapng decodes with scsiscope to the replayed commands;
#   - a device that is not the script's, and SIGINT in the middle of a
#     replay: exit 2, and the kernel driver has the disk again.
#
# Needs qemu-system-x86, linux-image-amd64, busybox-static, cpio, kmod and
# xz-utils (the README's test command installs them).  Without them the
# test FAILS with what to install; SCSISCOPE_SKIP_LIVE=1 skips it (77).
# About 45 s (three boots of about 12 s under TCG).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # make check runs tests with sh
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
PKGS="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod xz-utils"
if [ "${SCSISCOPE_SKIP_LIVE:-0}" = 1 ]; then
    echo "SKIP: SCSISCOPE_SKIP_LIVE=1: the live-device replay test did not run"
    exit 77
fi
missing=""
command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
[ -x /bin/busybox ] || missing="$missing busybox-static"
command -v cpio >/dev/null || missing="$missing cpio"
command -v depmod >/dev/null || [ -x /sbin/depmod ] || missing="$missing kmod"
command -v xz >/dev/null || missing="$missing xz-utils"
kernel=""
for k in /boot/vmlinuz-*-amd64 /boot/vmlinuz-*-generic; do [ -e "$k" ] && kernel=$k; done
[ -n "$kernel" ] || missing="$missing linux-image-amd64 (Ubuntu: linux-image-generic)"
if [ -n "$missing" ]; then
    echo "FAIL: the live-device replay test needs:$missing"
    echo "      install them: apt-get install $PKGS"
    echo "      (or SCSISCOPE_SKIP_LIVE=1 to skip this test knowingly)"
    exit 1
fi
PATH=$PATH:/sbin:/usr/sbin
S=$top_builddir/scsiscope
[ -x "$S" ] || { echo "FAIL: no $S"; exit 1; }
export RIG_BUILD=$top_builddir/tests/vm/build-replay
export RIG_TOOLS="" RIG_INIT=$top_srcdir/tests/vm/guest/init-replay RIG_EXTRA_BINS=$S
export RIG_EXTRA_FILES=$RIG_BUILD/files
export RIG_TIMEOUT=${RIG_TIMEOUT:-240}
# shellcheck source=rig.sh
. "$top_srcdir/tests/vm/rig.sh"
SCENARIOS=${REPLAY_SCENARIOS:-"bot-ehci uas-ehci uas-xhci"}
T0=$(rig_ts)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

rig_kernel || { echo "FAIL: no Debian kernel (apt-get install linux-image-amd64)"; exit 1; }
rm -rf "$RIG_BUILD"
mkdir -p "$RIG_EXTRA_FILES"

# The scripts: every command of the sample except what a replay on a
# device the kernel has already probed cannot reproduce: the UNIT
# ATTENTION of a freshly plugged device, the eject, and NOT READY after it.
FILTER='opcode!=0x1b && !(sense.key==6) && !(sense.key==2)'
for sc in $SCENARIOS; do
    "$S" extract "$top_srcdir/samples/$sc.pcap" --filter "$FILTER" -o "$RIG_EXTRA_FILES/$sc.seq" ||
        { echo "FAIL: extract $sc"; exit 1; }
done
# A stall: a CBW whose signature is wrong (USBX); BOT 6.6.1: the device
# stalls, the host recovers with reset recovery.  Then the first command of
# the BOT script's kind answers again.
inq_hash=$(sed -n 's/^cmd 12 00 00 00 24 00 in=36 .*hash=\([0-9a-f]*\).*/\1/p' "$RIG_EXTRA_FILES/bot-ehci.seq" 2>/dev/null | head -1)
cat > "$RIG_EXTRA_FILES/stall.seq" <<EOF
scsiscope-replay 1
transport bot
raw out 55 53 42 58 01 00 00 00 00 00 00 00 00 00 06 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 expect stall
cmd 00 00 00 00 00 00 expect status=good
cmd 12 00 00 00 24 00 in=36 expect status=good data=36${inq_hash:+ hash=$inq_hash}
EOF

# Not the device the guest has: refused once opened, the driver comes back.
cat > "$RIG_EXTRA_FILES/wrongdev.seq" <<EOF
scsiscope-replay 1
device 46f4:0001 serial="NOT-THIS-ONE"
cmd 00 00 00 00 00 00 expect status=good
EOF

rig_build_initramfs || { echo "FAIL: initramfs"; exit 1; }
rig_extract_vmlinux || { echo "FAIL: vmlinux"; exit 1; }
echo "initramfs and vmlinux: $(rig_elapsed "$T0") s"

rc_of() { cat "$1/$2.rc" 2>/dev/null || echo none; }
for sc in $SCENARIOS; do
    t=$(rig_ts)
    rig_run "replay-$sc" "$sc" "$sc" || true
    x=$RIG_BUILD/run-replay-$sc/x
    echo "=== $sc: $(rig_elapsed "$t") s"
    [ -s "$x/full.txt" ] || { fail "$sc: the guest left no results (see $RIG_BUILD/run-replay-$sc/console.log)";
                              tail -30 "$RIG_BUILD/run-replay-$sc/console.log"; continue; }
    for f in list refused skip full stall; do
        [ -e "$x/$f.txt" ] && sed "s/^/  $f| /" "$x/$f.txt"
    done
    grep -q '46f4:000' "$x/list.txt" && ok "$sc: --list shows the device" || fail "$sc: --list does not show 46f4"
    # refused, nothing sent, driver untouched
    [ "$(rc_of "$x" refused)" = 2 ] && grep -q 'needs --allow-writes' "$x/refused.txt" &&
        grep -q 'needs --allow-vendor' "$x/refused.txt" && grep -q 'nothing was sent' "$x/refused.txt" &&
        ok "$sc: WRITE(10) and C0h refused without --allow-writes/--allow-vendor" ||
        fail "$sc: the unsafe commands were not refused (rc $(rc_of "$x" refused))"
    [ "$(cat "$x/driver-after-refused.txt" 2>/dev/null)" = present ] && ok "$sc: the refused replay left the kernel driver alone" ||
        fail "$sc: the kernel driver lost the disk on a refused replay"
    # skipped write: its read-back differs
    [ "$(rc_of "$x" skip)" = 1 ] && grep -q 'WRITE(10) lba=4096 blocks=8 *skipped' "$x/skip.txt" &&
        grep -q 'READ(10) lba=4096 blocks=8 *DIFFER' "$x/skip.txt" &&
        ok "$sc: --skip-unsafe skips the write, and the read-back differs" ||
        fail "$sc: --skip-unsafe (rc $(rc_of "$x" skip))"
    grep -E 'READ CAPACITY\(10\) +match|READ\(10\) lba=0 blocks=1 +match' "$x/skip.txt" >/dev/null &&
        ok "$sc: reads return the recorded data hashes" || fail "$sc: reads do not return the recorded hashes"
    # everything as recorded
    steps=$(grep -c '^cmd ' "$RIG_EXTRA_FILES/$sc.seq")
    [ "$(rc_of "$x" full)" = 0 ] && grep -q "replay: $steps steps in 1 pass: $steps match, 0 differ, 0 timeout, 0 failed, 0 skipped" "$x/full.txt" &&
        ok "$sc: all $steps commands answer as recorded" || fail "$sc: the full replay (rc $(rc_of "$x" full))"
    grep -q 'WRITE(10) lba=4096 blocks=8 *match' "$x/full.txt" && grep -q 'READ(10) lba=4096 blocks=8 *match' "$x/full.txt" &&
        ok "$sc: with --allow-writes the pattern is written and read back" || fail "$sc: write and read-back"
    grep -q 'VENDOR SPECIFIC (C0h) *match *CHECK CONDITION, 05/20/00' "$x/full.txt" &&
        ok "$sc: the recorded ILLEGAL REQUEST reproduces 05/20/00" || fail "$sc: C0h did not give 05/20/00"
    grep -q 'INQUIRY evpd page=0xab alloc=255 *match *CHECK CONDITION, 05/24/00' "$x/full.txt" &&
        ok "$sc: INQUIRY of VPD page ABh reproduces 05/24/00" || fail "$sc: INQUIRY page ABh"
    grep -q 'kernel driver re-attached' "$x/full.txt" && [ "$(cat "$x/reattach.txt" 2>/dev/null)" = present ] &&
        ok "$sc: the kernel driver has the disk again" || fail "$sc: the kernel driver was not re-attached"
    case $sc in
    uas-xhci) grep -q 'UAS with streams' "$x/full.txt" && ok "$sc: bulk streams" || fail "$sc: no streams on xHCI" ;;
    uas-ehci) grep -q 'UAS, kernel' "$x/full.txt" && ok "$sc: UAS without streams" || fail "$sc: UAS on EHCI" ;;
    bot-*)
        [ "$(rc_of "$x" stall)" = 0 ] && grep -q 'raw out 31 bytes *match *stall' "$x/stall.txt" &&
            grep -q 'reset recovery' "$x/stall.txt" && grep -q 'TEST UNIT READY *match' "$x/stall.txt" &&
            ok "$sc: a stalled CBW is recovered (reset recovery) and the next commands answer" ||
            fail "$sc: stall recovery (rc $(rc_of "$x" stall))" ;;
    esac
    [ "$(rc_of "$x" wrongdev)" = 2 ] && grep -q 'NOT-THIS-ONE' "$x/wrongdev.txt" &&
        [ "$(cat "$x/reattach-wrongdev.txt" 2>/dev/null)" = present ] &&
        ok "$sc: not the script's device: exit 2, the kernel driver is back" || fail "$sc: the identity check (rc $(rc_of "$x" wrongdev))"
    [ "$(rc_of "$x" sigint)" = 2 ] && grep -q 'interrupted' "$x/sigint.txt" && grep -q 'kernel driver re-attached' "$x/sigint.txt" &&
        [ "$(cat "$x/reattach-sigint.txt" 2>/dev/null)" = present ] &&
        ok "$sc: SIGINT stops the replay, exit 2, the kernel driver is back" ||
        { fail "$sc: SIGINT (rc $(rc_of "$x" sigint))"; tail -5 "$x/sigint.txt"; }
    if grep -l 'Sanitizer\|runtime error' "$x"/*.txt >/dev/null 2>&1; then
        fail "$sc: sanitizer reports in the guest:"; grep -h -A12 'Sanitizer\|runtime error' "$x"/*.txt | head -40
    fi
    # the record decodes to the replayed commands
    rec=$x/$sc.replay.pcapng
    if [ -s "$rec" ] && "$S" decode "$rec" > "$x/record-decode.txt" 2>&1; then
        n=$(grep -c ' L0 ' "$x/record-decode.txt")
        grep -q 'WRITE(10) lba=4096 blocks=8 .* GOOD' "$x/record-decode.txt" &&
            grep -q 'VENDOR SPECIFIC (C0h).*(05/20/00)' "$x/record-decode.txt" && [ "$n" -ge "$steps" ] &&
            ok "$sc: the --record pcapng decodes ($n SCSI commands)" || fail "$sc: the record decodes wrongly"
    else
        fail "$sc: the --record pcapng does not decode"
        cat "$x/record-decode.txt" 2>/dev/null | tail -5
    fi
done
echo "live-device replay test: $(rig_elapsed "$T0") s, $fails failed"
# a passing run leaves nothing behind (a failing one keeps $RIG_BUILD to look at)
[ "$fails" = 0 ] && rm -rf "$RIG_BUILD"
[ "$fails" = 0 ]
