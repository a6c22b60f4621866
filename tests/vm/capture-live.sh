#!/bin/bash
# capture-live.sh - make check: scsiscope capture, decode -i and lint -i on a live usbmon bus in QEMU (a stock Debian kernel) while the device is re-plugged and a workload runs; they agree with each other and with the workload's command log, and nothing is dropped.
#
# Two boots (guest/init-capture): usb-storage (BOT) on EHCI, whose
# re-enumeration goes through address 0 and SET_ADDRESS, and usb-uas on
# xHCI (bulk streams; the controller addresses the device).  In each, the
# guest starts `scsiscope capture --device 46f4:PID`, `decode -i` and
# `lint -i` on the device's bus, has the host unplug and plug the device
# (it comes back at a new address), runs the sample workload
# (guest/workload-samples.sh) and stops the three with SIGINT.  Checked:
#   - all three exit as they should after SIGINT and report 0 dropped;
#   - the pcapng is well formed (tshark reads it, when installed) and holds
#     only the device: its enumeration at the new address, no root hub;
#   - `decode -i` printed every command before it was stopped (streamed),
#     and its commands are exactly those `decode` finds in the pcapng;
#   - `lint -i` found what `lint` finds in the pcapng (ids and devices);
#   - the commands are the workload's, step by step, with their statuses
#     and sense as its command log says (and the log says PASS).
#
# Needs what replay-live.sh needs, plus sg3-utils in the guest.  Without
# them it FAILS with what to install; SCSISCOPE_SKIP_LIVE=1 skips it (77).
# About 30 s (two boots of about 12 s under TCG).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # make check runs tests with sh
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
PKGS="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod xz-utils sg3-utils"
if [ "${SCSISCOPE_SKIP_LIVE:-0}" = 1 ]; then
    echo "SKIP: SCSISCOPE_SKIP_LIVE=1: the live capture test did not run"
    exit 77
fi
missing=""
command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
[ -x /bin/busybox ] || missing="$missing busybox-static"
command -v cpio >/dev/null || missing="$missing cpio"
command -v depmod >/dev/null || [ -x /sbin/depmod ] || missing="$missing kmod"
command -v xz >/dev/null || missing="$missing xz-utils"
command -v sg_inq >/dev/null || missing="$missing sg3-utils"
kernel=""
for k in /boot/vmlinuz-*-amd64 /boot/vmlinuz-*-generic; do [ -e "$k" ] && kernel=$k; done
[ -n "$kernel" ] || missing="$missing linux-image-amd64 (Ubuntu: linux-image-generic)"
if [ -n "$missing" ]; then
    echo "FAIL: the live capture test needs:$missing"
    echo "      install them: apt-get install $PKGS"
    echo "      (or SCSISCOPE_SKIP_LIVE=1 to skip this test knowingly)"
    exit 1
fi
PATH=$PATH:/sbin:/usr/sbin
S=$top_builddir/scsiscope
[ -x "$S" ] || { echo "FAIL: no $S"; exit 1; }
export RIG_BUILD=$top_builddir/tests/vm/build-capture
export RIG_INIT=$top_srcdir/tests/vm/guest/init-capture RIG_EXTRA_BINS=$S
export RIG_TIMEOUT=${RIG_TIMEOUT:-240}
# shellcheck source=rig.sh
. "$top_srcdir/tests/vm/rig.sh"
export RIG_TOOLS="$RIG_SG_TOOLS"
SCENARIOS=${CAPTURE_SCENARIOS:-"bot-ehci uas-xhci"}
T0=$(rig_ts)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

rig_kernel || { echo "FAIL: no Debian kernel (apt-get install linux-image-amd64)"; exit 1; }
rm -rf "$RIG_BUILD"
mkdir -p "$RIG_BUILD"
rig_build_initramfs || { echo "FAIL: initramfs"; exit 1; }
rig_extract_vmlinux || { echo "FAIL: vmlinux"; exit 1; }
echo "initramfs and vmlinux: $(rig_elapsed "$T0") s"

# The SCSI part of a decode line: the command and what came of it, without
# the frame, the time, the tag and the duration (bus:device and LUN stay).
# usbmon stamps each event for each reader separately, so two programs on
# the same bus see times a microsecond or so apart.
scsi_part() {
    sed -E 's/^ *[0-9]+ +[0-9.]+ +//; s/ (bot|uas) #[0-9]+ +/ \1 /; s/ +[0-9.]+(ns|us|ms|s)( +\[|$)/\2/' "$1"
}

for sc in $SCENARIOS; do
    t=$(rig_ts)
    rig_run "capture-$sc" "$sc" samples || true
    w=$RIG_BUILD/run-capture-$sc
    x=$w/x
    echo "=== $sc: $(rig_elapsed "$t") s"
    [ -s "$x/capture.rc" ] || { fail "$sc: the guest left no results (see $w/console.log)";
                               tail -30 "$w/console.log"; continue; }
    for f in capture.err decode.err lint.err; do sed "s/^/  $f| /" "$x/$f"; done
    read -r bus1 dev1 id < "$x/device-before.txt"
    read -r bus2 dev2 _ < "$x/device-after.txt"
    echo "  device $id: $bus1:$dev1, after the replug $bus2:$dev2"
    [ "$dev1" != "$dev2" ] && ok "$sc: the replug gave the device a new address ($dev1 -> $dev2)" ||
        fail "$sc: the device kept its address"

    # --- the three stopped by SIGINT, nothing dropped
    [ "$(cat "$x/capture.rc")" = 0 ] && grep -q 'stopped by SIGINT' "$x/capture.err" &&
        ok "$sc: capture stops on SIGINT, exit 0" || fail "$sc: capture exit $(cat "$x/capture.rc")"
    [ "$(cat "$x/decode.rc")" = 0 ] && grep -q 'stopped by SIGINT' "$x/decode.err" &&
        ok "$sc: decode -i stops on SIGINT, exit 0" || fail "$sc: decode -i exit $(cat "$x/decode.rc")"
    [ "$(cat "$x/lint.rc")" = 1 ] && grep -q 'stopped by SIGINT' "$x/lint.err" &&
        ok "$sc: lint -i stops on SIGINT, exit 1 (info findings)" || fail "$sc: lint -i exit $(cat "$x/lint.rc")"
    for f in capture decode lint; do
        grep -Eq "usbmon$bus1: [0-9]+ packets, [0-9]+ commands, 0 dropped" "$x/$f.err" &&
            ok "$sc: $f: 0 dropped" || fail "$sc: $f dropped events or said nothing: $(tail -1 "$x/$f.err")"
    done
    if grep -l 'Sanitizer\|runtime error' "$x"/*.err >/dev/null 2>&1; then
        fail "$sc: sanitizer reports in the guest:"; grep -h -A12 'Sanitizer\|runtime error' "$x"/*.err | head -40
    fi

    # --- the pcapng
    cap=$x/capture.pcapng
    if ! "$S" decode "$cap" > "$w/file-decode.txt" 2> "$w/file-decode.err"; then
        fail "$sc: the pcapng does not decode: $(cat "$w/file-decode.err")"; continue
    fi
    "$S" decode --scsi-only "$cap" > "$w/file-scsi.txt"
    if command -v tshark >/dev/null; then
        n=$(tshark -r "$cap" 2>/dev/null | wc -l)
        m=$("$S" events --count "$cap" 2>/dev/null | sed -n 's/^frames *\([0-9]*\)$/\1/p')
        [ "$n" -gt 100 ] && [ "$n" = "$m" ] &&
            ok "$sc: tshark reads the pcapng ($n packets, as scsiscope)" || fail "$sc: tshark reads $n packets, scsiscope ${m:-?}"
    fi
    grep -q " $bus2:$(printf %03d "$dev2") ep0 ctl GET_DESCRIPTOR DEVICE" "$w/file-decode.txt" &&
        ok "$sc: the re-enumeration at address $dev2 is in the pcapng" || fail "$sc: no enumeration at the new address"
    others=$(grep -Evc " $bus1:(000|$(printf %03d "$dev1")|$(printf %03d "$dev2")) " "$w/file-decode.txt")
    [ "$others" = 0 ] && ok "$sc: --device left every other device out" ||
        { fail "$sc: $others lines of other devices in the pcapng"; grep -Ev " $bus1:(000|$(printf %03d "$dev1")|$(printf %03d "$dev2")) " "$w/file-decode.txt" | head -5; }

    # --- decode -i agrees with the pcapng, and streamed
    scsi_part "$x/live-decode.txt" > "$w/live.part"
    scsi_part "$w/file-scsi.txt" > "$w/file.part"
    n=$(wc -l < "$w/live.part")
    if [ "$n" -ge 20 ] && cmp -s "$w/live.part" "$w/file.part"; then
        ok "$sc: decode -i and the pcapng show the same $n SCSI commands"
    else
        fail "$sc: decode -i ($n commands) and the pcapng ($(wc -l < "$w/file.part")) differ:"
        diff "$w/file.part" "$w/live.part" | head -20
    fi
    cmp -s "$x/live-decode-before-stop.txt" "$x/live-decode.txt" &&
        ok "$sc: decode -i had printed every command before it was stopped" ||
        { fail "$sc: decode -i held commands back until SIGINT:"; diff "$x/live-decode-before-stop.txt" "$x/live-decode.txt" | head; }

    # --- lint -i agrees with lint of the pcapng on the device at its new
    # address, where the workload ran (ids and severities; frame numbers
    # differ, and what each program saw of the other devices and of the
    # old address depends on when it started)
    ids() { grep "\"kind\":\"finding\".*\"bus\":$bus2,\"device\":$dev2," "$1" |
            sed -E 's/.*"id":"([^"]*)".*"severity":"([^"]*)".*/\1 \2/' | sort; }
    "$S" lint --json --severity info "$cap" > "$w/file-lint.json"
    ids "$x/live-lint.json" > "$w/live-lint.ids"
    ids "$w/file-lint.json" > "$w/file-lint.ids"
    if [ -s "$w/live-lint.ids" ] && cmp -s "$w/live-lint.ids" "$w/file-lint.ids"; then
        ok "$sc: lint -i and lint of the pcapng find the same $(wc -l < "$w/live-lint.ids") findings"
    else
        fail "$sc: lint -i and lint of the pcapng differ:"; diff "$w/file-lint.ids" "$w/live-lint.ids" | head
    fi
    grep -q capture-gap "$w/live-lint.ids" && fail "$sc: capture-gap in a capture without drops" ||
        ok "$sc: no capture-gap"

    # --- the workload's command log, step by step, in the decoded commands
    grep -q '^WORKLOAD: PASS' "$x/commands.log" && ok "$sc: the workload passed" ||
        fail "$sc: the workload: $(grep WORKLOAD "$x/commands.log")"
    # each step of workload-samples.sh: the commands it puts on the wire, in order
    expect=(
        'INQUIRY alloc=36 .* GOOD'
        'READ CAPACITY\(10\) .* GOOD'
        'TEST UNIT READY .* GOOD'
        'WRITE\(10\) lba=4096 blocks=8 +out +4096/4096 .* GOOD'
        'READ\(10\) lba=4096 blocks=8 +in +4096/4096 .* GOOD'
        'SYNCHRONIZE CACHE\(10\) .* GOOD'
        'VENDOR SPECIFIC \(C0h\) .*CHECK CONDITION ILLEGAL REQUEST: INVALID COMMAND OPERATION CODE \(05/20/00\)'
        'INQUIRY evpd page=0xab alloc=255 .*CHECK CONDITION ILLEGAL REQUEST: INVALID FIELD IN CDB \(05/24/00\)'
        'START STOP UNIT eject .* GOOD'
        'TEST UNIT READY .*CHECK CONDITION NOT READY: MEDIUM NOT PRESENT \(02/3A/00\)'
    )
    line=0 missing_step=""
    for e in "${expect[@]}"; do
        l=$(tail -n +$((line + 1)) "$x/live-decode.txt" | grep -nE -m1 "$e" | cut -d: -f1)
        if [ -z "$l" ]; then missing_step=$e; break; fi
        line=$((line + l))
    done
    [ -z "$missing_step" ] && ok "$sc: the workload's ${#expect[@]} steps, in order, with their status and sense" ||
        fail "$sc: no '$missing_step' after line $line of decode -i"
    steps=$(grep -c '^== ' "$x/commands.log")
    [ "$steps" = "${#expect[@]}" ] || [ "$steps" = $((${#expect[@]} + 1)) ] ||
        fail "$sc: the command log has $steps steps; the test knows ${#expect[@]} (and the compare)"
done
echo "live capture test: $(rig_elapsed "$T0") s, $fails failed"
[ "$fails" = 0 ] && rm -rf "$RIG_BUILD"
[ "$fails" = 0 ]
