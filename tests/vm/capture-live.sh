#!/bin/bash
# capture-live.sh - make check: scsiscope capture, decode -i, lint -i and tui -i (in tmux) on a live usbmon bus in QEMU (a stock Debian kernel) while the device is re-plugged and a workload runs; they agree with each other and with the workload's command log, and nothing is dropped.
#
# Two boots (guest/init-capture): usb-storage (BOT) on EHCI, whose
# re-enumeration goes through address 0 and SET_ADDRESS, and usb-uas on
# xHCI (bulk streams; the controller addresses the device).  In each, the
# guest starts `scsiscope capture --device 46f4:PID`, `decode -i --device 46f4:PID` and
# `lint -i` on the device's bus, and `tui -i usbmonN -w tui.pcapng` in a
# detached 140x40 tmux session, has the host unplug and plug the device
# (it comes back at a new address), runs the sample workload
# (guest/workload-samples.sh), saves the tui's screen, stops the three
# with SIGINT and the tui with s (its screen again) and q.  Checked:
#   - all three exit as they should after SIGINT and report 0 dropped;
#   - the pcapng is well formed (tshark reads it, when installed) and holds
#     only the device: its enumeration at the new address, no root hub;
#   - `decode -i` printed every command before it was stopped (streamed),
#     and its commands are exactly those `decode` finds in the pcapng (its
#     --device followed the device across the replug as capture's did);
#   - `lint -i` found what `lint` finds in the pcapng (ids and devices);
#   - the commands are the workload's, step by step, with their statuses
#     and sense as its command log says (and the log says PASS);
#   - tui -i: its live screen says LIVE usbmonN with packets, commands,
#     0 dropped and "following", and its newest row, the one opened, is
#     the newest transaction of its -w file, the workload's last (NOT
#     READY, MEDIUM NOT PRESENT); s turns it to STOPPED; q exits 0 with
#     the summary on stderr; its file has the SCSI commands of capture's.
#
# Needs what replay-live.sh needs, plus sg3-utils and tmux.  Without
# them it FAILS with what to install; SCSISCOPE_SKIP_LIVE=1 skips it (77).
# About 30 s (two boots of about 12 s under TCG).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"   # make check runs tests with sh
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
PKGS="qemu-system-x86 linux-image-amd64 busybox-static cpio kmod xz-utils sg3-utils tmux"
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
command -v tmux >/dev/null || missing="$missing tmux"
# tmux wants a UTF-8 locale; the guest gets the host's C.UTF-8
[ -d /usr/lib/locale/C.utf8 ] || missing="$missing libc-bin (/usr/lib/locale/C.utf8)"
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
TMUX_BIN=$(command -v tmux)
export RIG_INIT=$top_srcdir/tests/vm/guest/init-capture RIG_EXTRA_BINS="$S $TMUX_BIN"
# the tui runs in tmux (TERM=tmux-256color in the pane; xterm for tmux itself)
export RIG_TERMINFO="tmux-256color screen xterm" RIG_EXTRA_PATHS=/usr/lib/locale/C.utf8
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
    for f in capture.err decode.err lint.err tui.err; do sed "s/^/  $f| /" "$x/$f"; done
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
    grep -Eq "device 46f4:[0-9a-f]{4}: [1-9][0-9]* packets kept, [0-9]+ of other devices left out$" "$x/decode.err" &&
        ok "$sc: decode -i --device kept the device's packets" || fail "$sc: decode -i --device: $(tail -1 "$x/decode.err")"
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

    # --- tui -i, in tmux in the guest: the screen while it followed the
    # bus, after s, its exit and its -w file
    tl=$x/tui-live.txt
    tst=$x/tui-stopped.txt
    show_screen() { sed "s/^/  $(basename "$1")| /" "$1"; }
    if ! [ -s "$tl" ] || ! [ -s "$x/tui.pcapng" ]; then
        fail "$sc: tui -i left no screen or no file (see $x/steps.log)"; continue
    fi
    grep -Eq "^ LIVE usbmon$bus1: [1-9][0-9]* packets, [1-9][0-9]* commands, 0 dropped \| following \|" "$tl" &&
        ok "$sc: tui -i: LIVE usbmon$bus1, packets, commands, 0 dropped, following" ||
        { fail "$sc: tui -i: the live status line is not LIVE usbmon$bus1 ... 0 dropped | following:"; show_screen "$tl"; }
    "$S" decode "$x/tui.pcapng" > "$w/tui-decode.txt" 2> "$w/tui-decode.err" ||
        fail "$sc: tui -i's file does not decode: $(cat "$w/tui-decode.err")"
    "$S" decode --scsi-only "$x/tui.pcapng" > "$w/tui-scsi.txt" 2>/dev/null
    # the newest transaction of the file is the workload's last command
    # (BOT: the REQUEST SENSE after the TEST UNIT READY; UAS: the TEST
    # UNIT READY), and the live screen showed it as its newest row, opened
    last=$(tail -n 1 "$w/tui-decode.txt")
    lastf=$(awk '{ print $1 }' <<< "$last")
    row=$(awk 'NR > 1 && NF && !/^ Detail/ { r = $0 } /^ Detail/ { exit } END { print r }' "$tl")
    rowf=$(awk '{ print ($1 ~ /^[0-9]+$/) ? $1 : $2 }' <<< "$row")
    if [ "$last" = "$(tail -n 1 "$w/tui-scsi.txt")" ] && grep -q 'NOT READY: MEDIUM NOT PRESENT (02/3A/00)' <<< "$last" &&
       [ -n "$lastf" ] && [ "$rowf" = "$lastf" ] && grep -q 'NOT READY: MEDI' <<< "$row" &&
       grep -q "^ Detail: frame $lastf " "$tl"; then
        ok "$sc: tui -i: the newest row, opened, is the workload's last command (frame $lastf, NOT READY)"
    else
        fail "$sc: tui -i: the newest row (frame ${rowf:-?}) is not the file's last command: $last"; show_screen "$tl"
    fi
    grep -q "^ STOPPED usbmon$bus1: " "$tst" && ! grep -q '| following' "$tst" &&
        ok "$sc: tui -i: s stopped the capture (STOPPED, not following)" ||
        { fail "$sc: tui -i: no STOPPED status after s:"; show_screen "$tst"; }
    [ "$(cat "$x/tui.rc" 2>/dev/null)" = 0 ] &&
        grep -Eq "^scsiscope tui: usbmon$bus1: [1-9][0-9]* packets, [1-9][0-9]* commands indexed, 0 dropped \(capture stopped\)$" "$x/tui.err" &&
        ok "$sc: tui -i: q exits 0, summary: $(grep '^scsiscope tui: usbmon' "$x/tui.err")" ||
        fail "$sc: tui -i: exit $(cat "$x/tui.rc" 2>/dev/null), stderr: $(cat "$x/tui.err")"
    grep -q 'Sanitizer\|runtime error' "$x/tui.err" && fail "$sc: tui -i: sanitizer report" ||
        ok "$sc: tui -i: no sanitizer report"
    scsi_part "$w/tui-scsi.txt" > "$w/tui.part"
    n=$(wc -l < "$w/tui.part")
    if [ "$n" -ge 20 ] && cmp -s "$w/tui.part" "$w/file.part"; then
        ok "$sc: tui -i's file and capture's show the same $n SCSI commands"
    else
        fail "$sc: tui -i's file ($n commands) and capture's ($(wc -l < "$w/file.part")) differ:"
        diff "$w/file.part" "$w/tui.part" | head -20
    fi
done
echo "live capture test: $(rig_elapsed "$T0") s, $fails failed"
[ "$fails" = 0 ] && rm -rf "$RIG_BUILD"
[ "$fails" = 0 ]
