#!/bin/sh
# test-tui.sh - make check: drive the real `scsiscope tui` in tmux at a fixed size (send-keys, capture-pane) and check the screens, the keys and the terminal left behind.
#
# Needs top_srcdir and top_builddir (make check sets them) and tmux; without
# tmux the test is skipped (exit 77) with a message.  Every expectation that
# can be computed from `scsiscope decode` is computed from it, so the screen
# is checked against the command-line decoder rather than against itself.
# Each case runs in its own tmux server (a socket in a temporary directory),
# so parallel test runs and the user's own tmux are never touched.
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
bin=$(cd "$top_builddir" && pwd)/scsiscope
src=$(cd "$top_srcdir" && pwd)
[ -x "$bin" ] || { echo "no $bin: build first" >&2; exit 99; }
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed (Debian/Ubuntu: apt-get install tmux); the TUI tests need it"
	exit 77
fi
tmp=$(mktemp -d) || exit 99
# one tmux server (socket) per case: a server being killed still holds its socket a moment
nsock=0
sock=$tmp/tmux.0.sock
trap 'for s in "$tmp"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; rm -rf "$tmp"' EXIT
# Sanitizer builds and a busy machine are slow: generous waits.
WAIT=${TUI_TEST_WAIT:-30}
W=140 H=40
BOT=$src/samples/bot-ehci.pcap
UAS=$src/samples/uas-xhci.pcap
fail=0
case_name=

t() { tmux -S "$sock" "$@"; }
failed() { echo "FAIL [$case_name]: $*"; fail=1; }
screen() { t capture-pane -p -t tui; }

# start CMD...: a new tmux server with one 140x40 window running a shell
# script that runs CMD with the terminal state saved before and after.
start() {
	t kill-server 2>/dev/null
	nsock=$((nsock + 1))
	sock=$tmp/tmux.$nsock.sock
	cat >"$tmp/run.sh" <<EOF
cd "$tmp"
stty -g >"$tmp/stty.before"
stty -a >"$tmp/stty-a.before"
# Ctrl-C goes to the whole foreground group: the shell must outlive it
# (a trap, not an ignored signal, which the program would inherit).
trap 'true' INT TERM
# the program's pid (for the SIGTERM case): a shell that writes its own
# pid and then becomes the program
sh -c 'echo \$\$ >"$tmp/pid"; exec "\$@"' sh "\$@" 2>"$tmp/stderr"
rc=\$?
stty -g >"$tmp/stty.after"
stty -a >"$tmp/stty-a.after"
echo \$rc >"$tmp/rc"
echo "TUI-EXITED"
sleep 600
EOF
	rm -f "$tmp/rc" "$tmp/stty.before" "$tmp/stty.after" "$tmp/stderr" "$tmp/pid"
	t -f /dev/null new-session -d -s tui -x "$W" -y "$H" sh "$tmp/run.sh" "$@" ||
		{ echo "cannot start tmux" >&2; exit 99; }
	t set-option -t tui status off >/dev/null
}

# stable: capture until two captures 0.1 s apart agree (a busy machine
# may show a screen half redrawn).
stable() {
	j=0
	screen >"$tmp/screen" 2>/dev/null
	while [ $j -lt 50 ]; do
		sleep 0.1
		screen >"$tmp/screen2" 2>/dev/null
		cmp -s "$tmp/screen" "$tmp/screen2" && return 0
		mv "$tmp/screen2" "$tmp/screen"
		j=$((j + 1))
	done
}

# wait_for REGEX: until the (stable) screen matches (grep -E), else fail and show it.
wait_for() {
	i=0
	while [ $i -lt $((WAIT * 10)) ]; do
		screen >"$tmp/screen" 2>/dev/null
		if grep -Eq -- "$1" "$tmp/screen"; then
			stable
			grep -Eq -- "$1" "$tmp/screen" && return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	failed "the screen never showed /$1/; it shows:"
	sed 's/^/    | /' "$tmp/screen"
	return 1
}

# wait_gone REGEX: until the (stable) screen no longer matches.
wait_gone() {
	i=0
	while [ $i -lt $((WAIT * 10)) ]; do
		screen >"$tmp/screen" 2>/dev/null
		if ! grep -Eq -- "$1" "$tmp/screen"; then
			stable
			grep -Eq -- "$1" "$tmp/screen" || return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	failed "the screen still shows /$1/"
	return 1
}

keys() { t send-keys -t tui "$@"; }

# The frame numbers of the list rows on the screen (rows start with a
# one-character marker column, then the frame).
list_frames() {
	awk 'NR == 1 || !NF { next } /^ Detail/ { exit } { print substr($0, 3, 8) + 0 }' "$tmp/screen"
}

# The list is indexed and, with a filter, filtered: the status line says so.
wait_ready() {
	wait_for '\? help' || return 1
	wait_gone 'indexing|filter:.*%\)' || return 1
	wait_gone 'decoding the file again'
}

quit_and_check_terminal() {
	i=0
	while [ ! -f "$tmp/rc" ] && [ $i -lt $((WAIT * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	if [ ! -f "$tmp/rc" ]; then
		failed "scsiscope tui did not exit"
		return 1
	fi
	[ "$(cat "$tmp/rc")" = "$1" ] || failed "exit status $(cat "$tmp/rc"), expected $1; stderr: $(cat "$tmp/stderr")"
	cmp -s "$tmp/stty.before" "$tmp/stty.after" ||
		failed "the terminal settings changed: $(diff "$tmp/stty-a.before" "$tmp/stty-a.after" | tr '\n' ' ')"
	grep -q ' icanon' "$tmp/stty-a.after" && grep -q ' echo ' "$tmp/stty-a.after" ||
		failed "stty -a after exit lacks icanon/echo: $(cat "$tmp/stty-a.after")"
	wait_for 'TUI-EXITED'
	# the alternate screen is left: the shell's own line is visible again
	grep -q 'Frame .*Time' "$tmp/screen" && failed "the TUI's screen is still shown after exit"
	return 0
}

"$bin" decode "$BOT" >"$tmp/decode.txt" || { echo "decode failed" >&2; exit 99; }
"$bin" decode --filter 'status!=good' "$BOT" >"$tmp/bad.txt" || exit 99

# ------------------------------------------------------------------ cases
case_name="first screen of a rig capture"
start "$bin" tui "$BOT"
if wait_ready; then
	grep -q 'Frame.*Time.*Device.*Command.*Status' "$tmp/screen" || failed "no column header"
	list_frames >"$tmp/shown"
	rows=$(wc -l <"$tmp/shown")
	[ "$rows" -ge 10 ] || failed "only $rows list rows on a ${H}-line terminal"
	awk '{ print $1 }' "$tmp/decode.txt" | head -n "$rows" >"$tmp/want"
	cmp -s "$tmp/shown" "$tmp/want" || failed "list frames $(tr '\n' ' ' <"$tmp/shown") are not decode's first $(tr '\n' ' ' <"$tmp/want")"
	grep -q 'GET_STATUS port=1 -> power' "$tmp/screen" || failed "first row's command missing"
	total=$(wc -l <"$tmp/decode.txt")
	grep -q "bot-ehci.pcap | all devices | 1/$total shown | $total transactions" "$tmp/screen" ||
		failed "status line does not say file, device, position and $total transactions"
	grep -q 'Findings (' "$tmp/screen" || failed "no findings pane"
	grep -q 'Detail: frame 1 ' "$tmp/screen" || failed "no detail of the first row"
	grep -q 'Hex: setup packet' "$tmp/screen" || failed "the hex pane does not show the first row's setup packet"
	grep -Eq 'a3 00 00 00 +01 00 04 00' "$tmp/screen" || failed "setup packet bytes not in hex"
fi
keys q
case_name="q restores the terminal"
quit_and_check_terminal 0

case_name="e lands on the first error"
first_bad=$(awk 'NR == 1 { print $1 }' "$tmp/bad.txt")
# nothing before it failed: no stall, error or unfinished control transfer
awk -v f="$first_bad" '$1 < f && /STALL|EPROTO|EPIPE|not completed|ESHUTDOWN|ENODEV/' "$tmp/decode.txt" >"$tmp/earlier"
[ -s "$tmp/earlier" ] && failed "decode shows failures before frame $first_bad: $(cat "$tmp/earlier")"
start "$bin" tui "$BOT"
wait_ready && keys e && wait_for "Detail: frame $first_bad " &&
	grep -q "CHECK CONDITION" "$tmp/screen" || failed "e did not select frame $first_bad (CHECK CONDITION)"
keys E
wait_for 'no earlier error'
keys e
wait_for "Detail: frame $(awk 'NR == 2 { print $1 }' "$tmp/bad.txt") " || failed "the second e did not select the second failure"
keys C-c
case_name="Ctrl-C restores the terminal"
quit_and_check_terminal 130

case_name="filter status!=good shows only failing rows"
start "$bin" tui "$BOT"
wait_ready
keys f
wait_for '^filter:'
keys 'status!=good' Enter
wait_for 'filter: status!=good \|'
wait_ready
list_frames >"$tmp/shown"
awk '{ print $1 }' "$tmp/bad.txt" >"$tmp/want"
cmp -s "$tmp/shown" "$tmp/want" || failed "filtered rows $(tr '\n' ' ' <"$tmp/shown") are not decode --filter's $(tr '\n' ' ' <"$tmp/want")"
n=$(wc -l <"$tmp/want")
grep -q "1/$n shown" "$tmp/screen" || failed "status line does not count $n rows shown"
awk 'NR > 1 && /^ Detail/ { exit } NR > 1 && NF && !/CHECK CONDITION|no status|PHASE ERROR|RESPONSE/' "$tmp/screen" >"$tmp/good"
[ -s "$tmp/good" ] && failed "rows that did not fail are shown: $(cat "$tmp/good")"
# w writes what is shown
keys w
wait_for 'write the transactions shown to'
keys Enter
wait_for 'wrote scsiscope-cut.pcapng' || sed -n '$p' "$tmp/screen"
if [ -f "$tmp/scsiscope-cut.pcapng" ]; then
	got=$("$bin" decode --filter 'status!=good' "$tmp/scsiscope-cut.pcapng" | wc -l)
	[ "$got" -eq "$n" ] || failed "the written pcapng has $got failing transactions, expected $n"
else
	failed "w wrote no scsiscope-cut.pcapng"
fi
# a bad expression says where, and keeps the filter
keys f C-u 'lba>>' Enter
wait_for 'filter: column [0-9]+' || failed "a bad filter expression is not reported with its column"
keys f C-u Enter
wait_for 'filter cleared'
keys q
quit_and_check_terminal 0

case_name="search finds a frame"
start "$bin" tui "$BOT"
wait_ready
want=$(awk '/READ CAPACITY\(10\)/ { print $1; exit }' "$tmp/decode.txt")
keys / 'read capacity' Enter
wait_for "Detail: frame $want " || failed "search for 'read capacity' did not select frame $want"
want2=$(awk '/READ CAPACITY\(10\)/ { n++; if (n == 2) { print $1; exit } }' "$tmp/decode.txt")
keys n
wait_for "Detail: frame $want2 " || failed "n did not go to the next match, frame $want2"
keys N
wait_for "Detail: frame $want " || failed "N did not go back to frame $want"
# from the top: the first INQUIRY
keys g / 'INQUIRY' Enter
wait_for "Detail: frame $(awk '/ INQUIRY/ { print $1; exit }' "$tmp/decode.txt") "
keys / 'no-such-text' Enter
wait_for "'no-such-text' not found"
# : goes to the transaction that holds a frame (a CSW frame, not a first frame)
target=$(awk '/READ\(10\)/ { print $1; exit }' "$tmp/decode.txt")
keys : $((target + 5)) Enter
wait_for "Detail: frame $target " || failed ": $((target + 5)) did not select the READ(10) at frame $target"
keys q
quit_and_check_terminal 0

case_name="detail tree and hex pane"
start "$bin" tui "$BOT"
wait_ready
inq=$(awk '/ INQUIRY alloc=36/ { print $1; exit }' "$tmp/decode.txt")
keys : "$inq" Enter
wait_for "Detail: frame $inq "
wait_for 'OPERATION CODE: 12h INQUIRY'
grep -q 'Hex: CDB (6 bytes)' "$tmp/screen" || failed "the summary line does not show the CDB in hex"
grep -q '12 00 00 00 24 00' "$tmp/screen" || failed "CDB bytes missing in hex"
grep -q 'T10 VENDOR IDENTIFICATION' "$tmp/screen" || grep -q 'data: 36 bytes' "$tmp/screen" || failed "no data layer"
keys Tab
# down to the CBW line: the hex pane shows the CBW's URB, 'USBC'
keys j j
wait_for 'Hex: frame [0-9]+: bulk OUT' && grep -q '|USBC' "$tmp/screen" || failed "the CBW line does not show the CBW bytes"
# ALLOCATION LENGTH highlighted: bytes 3-4 of the INQUIRY CDB
keys g
wait_for 'Hex: CDB'
i=0
while [ $i -lt 30 ]; do
	keys j
	sleep 0.1
	screen >"$tmp/screen"
	grep -Eq '^ *ALLOCATION LENGTH: 36 bytes *$' "$tmp/screen" && t capture-pane -p -e -t tui | grep -q '7m *ALLOCATION' && break
	i=$((i + 1))
done
t capture-pane -p -e -t tui >"$tmp/screen-e"
# the two highlighted bytes are 00 24 (ALLOCATION LENGTH = 36), drawn with
# the highlight's background (43m: yellow), and the opcode is not
grep -a '0000 ' "$tmp/screen-e" | sed 's/.*0000 //' >"$tmp/hexline"
grep -q '43m00' "$tmp/hexline" && grep -q '43m24' "$tmp/hexline" && ! grep -q '43m12' "$tmp/hexline" ||
	failed "ALLOCATION LENGTH's bytes are not highlighted in the hex pane: $(cat -v "$tmp/hexline")"
# findings pane: Enter jumps to the transaction of the finding
keys Tab Tab
wait_for 'unit-attention'
keys g
fframe=$(awk '/^[EWi] frame/ { print $3; exit }' "$tmp/screen")
keys Enter
wait_for "Detail: frame $fframe " || failed "Enter in the findings pane did not jump to frame $fframe"
keys q
quit_and_check_terminal 0

case_name="help lists every key"
start "$bin" tui "$BOT"
wait_ready
keys '?'
wait_for 'keys \(any key closes'
wait_for 'Filter fields: see FILTER EXPRESSIONS'
for k in 'Up/Down, k/j' 'PgUp/PgDn' 'g / G' 'Tab' 'Enter' '/' 'n / N' 'f ' 'e / E' ':' 't ' 'd ' 'w ' 'q ' '?' 'mouse' 'c '; do
	grep -q "^  $k" "$tmp/screen" || failed "the help screen does not list '$k'"
done
grep -q 'quit' "$tmp/screen" || failed "help does not say what q does"
keys x
wait_for '\? help'
keys q
quit_and_check_terminal 0

case_name="resize redraws"
start "$bin" tui "$UAS"
wait_ready
t resize-window -t tui -x 100 -y 30
i=0
while [ $i -lt $((WAIT * 10)) ]; do
	screen >"$tmp/screen"
	[ "$(wc -l <"$tmp/screen")" -eq 30 ] && sed -n '30p' "$tmp/screen" | grep -q '? help' && break
	sleep 0.1
	i=$((i + 1))
done
sed -n '30p' "$tmp/screen" | grep -q '? help' || failed "after resizing to 100x30 the status line is not on line 30"
head -n 1 "$tmp/screen" | grep -q 'Frame' || failed "no header after the resize"
awk 'length($0) > 100' "$tmp/screen" | grep -q . && failed "lines wider than 100 columns after the resize"
t resize-window -t tui -x 80 -y 24
wait_for 'Detail' && sleep 0.3 && screen >"$tmp/screen"
sed -n '24p' "$tmp/screen" | grep -q 'uas-xhci.pcap' || failed "after resizing to 80x24 the status line is not on line 24"
keys C-c
quit_and_check_terminal 130

case_name="SIGTERM restores the terminal"
start "$bin" tui "$UAS"
wait_ready
kill -TERM "$(cat "$tmp/pid")"
quit_and_check_terminal 143

case_name="time display cycles, device choice, SCSI only"
start "$bin" tui "$BOT"
wait_ready
keys t
wait_for 'time abs'
sed -n '2p' "$tmp/screen" | grep -Eq ' [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} ' || failed "absolute time is not HH:MM:SS.uuuuuu"
keys t
wait_for 'time delta'
sed -n '3p' "$tmp/screen" | grep -q ' +0\.000520 ' || failed "delta of the second row is not +0.000520"
keys t
wait_for 'time rel'
keys d
wait_for 'Show which device'
# down from "all devices" to 1:003
n=$(awk '/  all devices/ { a = NR } /  1:003 / { print NR - a; exit }' "$tmp/screen")
[ -n "$n" ] || failed "1:003 is not offered"
while [ "${n:-0}" -gt 0 ]; do keys j; n=$((n - 1)); done
keys Enter
wait_for 'device 1:003'
wait_ready
list_frames >"$tmp/shown"
"$bin" decode --device 1:3 "$BOT" | awk '{ print $1 }' | head -n "$(wc -l <"$tmp/shown")" >"$tmp/want"
cmp -s "$tmp/shown" "$tmp/want" || failed "device 1:003 rows $(tr '\n' ' ' <"$tmp/shown") are not decode --device's"
keys c
wait_for 'SCSI only'
list_frames >"$tmp/shown"
"$bin" decode --device 1:3 --scsi-only "$BOT" | awk '{ print $1 }' | head -n "$(wc -l <"$tmp/shown")" >"$tmp/want"
cmp -s "$tmp/shown" "$tmp/want" || failed "SCSI-only rows are not decode --scsi-only's"
keys q
quit_and_check_terminal 0

case_name="mouse"
# xterm's X10 mouse reports (ESC [ M button x+33 y+33), what tmux passes on
# from a real terminal; TERM=screen's kmous is that encoding.
mouse() {
	t send-keys -t tui -H 1b 5b 4d "$(printf %x $((32 + $1)))" "$(printf %x $((33 + $2)))" "$(printf %x $((33 + $3)))"
}
# (a pause after each click: ncurses waits its mouseinterval for a double click)
click() { mouse 0 "$1" "$2"; mouse 3 "$1" "$2"; sleep 0.4; }
start "$bin" tui "$BOT"
wait_ready
fifth=$(awk 'NR == 5 { print $1 }' "$tmp/decode.txt")
click 10 5
wait_for "Detail: frame $fifth " || failed "a click on the fifth row did not select it"
# the wheel moves the selection by three rows
mouse 65 10 5
wait_for "\| 8/$(wc -l <"$tmp/decode.txt") shown" || failed "the wheel did not move the selection from row 5 to 8"
# a click in the findings pane selects a finding; Enter jumps to it
fy=$(awk '/^ Findings/ { print NR; exit }' "$tmp/screen")
second=$(awk -v y="$fy" 'NR == y + 2 { print $3 }' "$tmp/screen")
click 10 $((fy + 1))
keys Enter
wait_for "Detail: frame $second " || failed "a click on the second finding and Enter did not jump to frame $second"
keys q
quit_and_check_terminal 0

case_name="monochrome"
start env NO_COLOR=1 "$bin" tui "$BOT"
wait_ready
t capture-pane -p -e -t tui >"$tmp/screen-e"
grep -Eq '.\[([0-9]+;)*3[1-7]m' "$tmp/screen-e" && failed "colours with NO_COLOR set"
grep -q '^i 20 ' "$tmp/screen" || failed "the finding marker is not on the row of frame 20 without colour"
keys q
quit_and_check_terminal 0

case_name="damaged capture"
size=$(wc -c <"$BOT")
head -c $((size * 2 / 3)) "$BOT" >"$tmp/cut.pcap"
"$bin" decode "$tmp/cut.pcap" >"$tmp/cut.txt" 2>"$tmp/cut.err"
start "$bin" tui "$tmp/cut.pcap"
wait_for 'damaged capture: .*cut.pcap: frame [0-9]+'
grep -q 'DAMAGED' "$tmp/screen" || failed "the status line does not say DAMAGED"
n=$(wc -l <"$tmp/cut.txt")
grep -q "$n transactions" "$tmp/screen" || failed "not the $n transactions decode shows before the damage"
keys G
wait_for "Detail: frame $(awk 'END { print $1 }' "$tmp/cut.txt") "
keys q
quit_and_check_terminal 2
grep -q 'cut.pcap: frame' "$tmp/stderr" || failed "the damage is not repeated on stderr after quitting"

case_name="a file that cannot be opened"
start "$bin" tui "$tmp/no-such.pcap"
wait_for 'TUI-EXITED'
[ "$(cat "$tmp/rc")" = 2 ] || failed "exit status $(cat "$tmp/rc") for a missing file, expected 2"
grep -q 'no-such.pcap' "$tmp/stderr" || failed "the error does not name the file: $(cat "$tmp/stderr")"
cmp -s "$tmp/stty.before" "$tmp/stty.after" || failed "the terminal settings changed"

case_name="a terminal it does not know"
start env TERM=no-such-terminal "$bin" tui "$BOT"
wait_for 'TUI-EXITED'
[ "$(cat "$tmp/rc")" = 2 ] || failed "exit status $(cat "$tmp/rc") with an unknown TERM, expected 2"
grep -q 'cannot use the terminal (TERM=no-such-terminal)' "$tmp/stderr" || failed "no message: $(cat "$tmp/stderr")"
cmp -s "$tmp/stty.before" "$tmp/stty.after" || failed "the terminal settings changed"

case_name="tui -i file: follows a capture as it grows"
# The file is written in pieces that cut records anywhere, as a capture
# program writing it would; the list follows the newest row until Up,
# End follows again, the filter works on what comes, s stops, and -w
# keeps what was captured.
total=$(wc -l <"$tmp/decode.txt")
head -c 12000 "$BOT" >"$tmp/grow.pcap"
start "$bin" tui -i "file:$tmp/grow.pcap" -w "$tmp/kept.pcapng"
wait_for 'LIVE file:grow.pcap: [0-9]+ packets, [0-9]+ commands, 0 dropped'
wait_for '\| following'
shown() { sed -n 's/.* \([0-9]*\)\/\([0-9]*\) shown.*/\1 \2/p' "$tmp/screen" | tail -n 1; }
set -- $(shown)
[ "${1:-x}" = "${2:-y}" ] && [ "${2:-0}" -gt 10 ] || failed "not on the newest of the first rows: '$*' shown"
n1=${2:-0}
tail -c +12001 "$BOT" | head -c 9000 >>"$tmp/grow.pcap"
i=0
while [ $i -lt $((WAIT * 10)) ]; do
	screen >"$tmp/screen"
	set -- $(shown)
	[ "${2:-0}" -gt "$n1" ] && [ "$1" = "$2" ] && break
	sleep 0.1
	i=$((i + 1))
done
[ "${2:-0}" -gt "$n1" ] && [ "$1" = "$2" ] || failed "the list did not grow and follow: '$*' shown after $n1"
stable
n2=$(shown | awk '{ print $2 }')
last=$(awk 'NR > 1 && NF && !/^ Detail/ { f = substr($0, 3, 8) + 0 } /^ Detail/ { exit } END { print f }' "$tmp/screen")
grep -q "Detail: frame $last " "$tmp/screen" || failed "the newest row (frame $last) is not the one opened"
# Up: the selection stays where it is while the list grows
keys Up
wait_gone '\| following'
sel=$(shown | awk '{ print $1 }')
keys f
wait_for '^filter:'
keys 'status!=good' Enter
wait_for 'filter: status!=good'
tail -c +21001 "$BOT" >>"$tmp/grow.pcap"
wait_for "$total transactions"
stable
set -- $(shown)
[ "$1" != "$2" ] || [ "$2" -le 1 ] || failed "the selection followed the newest row after Up: '$*'"
list_frames | sort -n >"$tmp/shown"
awk '{ print $1 }' "$tmp/bad.txt" | sort -n >"$tmp/want"
cmp -s "$tmp/shown" "$tmp/want" || failed "live, status!=good shows $(tr '\n' ' ' <"$tmp/shown"), decode --filter $(tr '\n' ' ' <"$tmp/want")"
keys f C-u Enter
wait_for 'filter cleared'
keys End
wait_for "$total/$total shown"
wait_for '\| following'
keys s
wait_for 'STOPPED file:grow.pcap'
wait_gone '\| following'
keys q
quit_and_check_terminal 0
grep -q "file:$tmp/grow.pcap: [0-9]* packets, 41 commands indexed, 0 dropped (capture stopped)" "$tmp/stderr" ||
	failed "no summary on stderr: $(cat "$tmp/stderr")"
if [ -f "$tmp/kept.pcapng" ]; then
	got=$("$bin" decode "$tmp/kept.pcapng" | wc -l)
	[ "$got" -eq "$total" ] || failed "-w kept $got transactions, the capture has $total"
else
	failed "-w $tmp/kept.pcapng was not written"
fi

case_name="tui -i without a usbmon"
if [ ! -e /dev/usbmon1 ]; then
start env SCSISCOPE_SYSROOT="$tmp/no-root" "$bin" tui -i usbmon1
wait_for 'TUI-EXITED'
[ "$(cat "$tmp/rc")" = 2 ] || failed "exit status $(cat "$tmp/rc") without usbmon, expected 2"
grep -q 'modprobe usbmon' "$tmp/stderr" || failed "no advice: $(cat "$tmp/stderr")"
cmp -s "$tmp/stty.before" "$tmp/stty.after" || failed "the terminal settings changed"
fi

[ $fail -eq 0 ] && echo "PASS: scsiscope tui in tmux"
exit $fail
