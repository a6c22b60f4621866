#!/bin/bash
# make-samples.sh - record the project's sample captures (samples/) with the QEMU usbmon rig.
#
# Usage:  tests/vm/make-samples.sh [scenario ...]
#   scenarios: bot-ehci uas-ehci uas-xhci (default: all three); see rig.sh;
#   also uas-xhci-concurrent: the uas-xhci setup with guest/workload-concurrent.sh
#   env: SKIP_APT=1      do not run apt-get (the packages are already there)
#        SAMPLES_DIR=D   write the results to D instead of samples/
#        RIG_BUILD=D     intermediate files (default tests/vm/build/, gitignored)
#        RIG_ACCEL=kvm   use KVM instead of TCG (see README.md: KVM fails here)
#        KEEP_BUILD=0    delete the build directory at the end
#
# For each scenario NAME it writes NAME.pcap, NAME.usbmon.txt and
# NAME.commands.log to the samples directory, and the run's other logs,
# timings.txt and summary.txt (capinfos, tshark -z io,phs, sense data) to
# the build directory.  Needs root (apt-get) and about 30 s per scenario
# under TCG.  Not part of `make check`.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=rig.sh
. "$HERE/rig.sh"
SAMPLES=${SAMPLES_DIR:-$HERE/../../samples}
SCENARIOS=${*:-"bot-ehci uas-ehci uas-xhci"}
LIMIT=204800          # a sample pcap must stay well under this many bytes
T_ALL=$(rig_ts)
TIMINGS=()

if [ "${SKIP_APT:-0}" != 1 ]; then
    t=$(rig_ts)
    rig_install_packages tshark   # tshark/capinfos only for summary.txt
    TIMINGS+=("apt-get update + install: $(rig_elapsed "$t") s")
fi
rig_kernel
echo "guest kernel: $RIG_KVER; $(qemu-system-x86_64 --version | head -1)"

mkdir -p "$RIG_BUILD" "$SAMPLES"
t=$(rig_ts)
rig_build_initramfs
rig_extract_vmlinux
TIMINGS+=("initramfs + vmlinux: $(rig_elapsed "$t") s (initrd.gz $(du -h "$RIG_BUILD/initrd.gz" | cut -f1))")

failed=""
for S in $SCENARIOS; do
    ok=0
    for attempt in 1 2 3; do
        echo "=== $S (attempt $attempt)"
        t=$(rig_ts)
        case $S in
        *-concurrent) rig_run "$S" "${S%-concurrent}" concurrent || true ;;
        *) rig_run "$S" "$S" samples || true ;;
        esac
        dt=$(rig_elapsed "$t")
        if rig_check "$S"; then ok=1; break; fi
    done
    X=$RIG_BUILD/run-$S/x
    if [ $ok != 1 ]; then
        echo "$S: no complete capture after 3 attempts; see $RIG_BUILD/run-$S/" >&2
        tail -20 "$RIG_BUILD/run-$S/console.log" >&2 || true
        failed="$failed $S"
        continue
    fi
    cp "$X/$S.pcap" "$X/$S.usbmon.txt" "$X/$S.commands.log" "$SAMPLES/"
    size=$(stat -c %s "$X/$S.pcap")
    [ "$size" -lt $LIMIT ] || echo "WARNING: $S.pcap is $size bytes, more than $LIMIT" >&2
    TIMINGS+=("run $S (boot + capture + poweroff, attempt $attempt): $dt s; guest: $(grep -o 'boot-to-init=[0-9.]*s' "$X/steps.log"), $(grep -o 'capture took .*' "$X/steps.log")")
done

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, accel ${RIG_ACCEL:-tcg}, kernel $RIG_KVER, $(qemu-system-x86_64 --version | head -1)"
    printf '%s\n' "${TIMINGS[@]}"
    echo "total: $(rig_elapsed "$T_ALL") s"
} | tee "$RIG_BUILD/timings.txt"

if command -v tshark >/dev/null && command -v capinfos >/dev/null; then
    for S in $SCENARIOS; do
        p=$SAMPLES/$S.pcap
        [ -e "$p" ] || continue
        echo "================ $S.pcap ($(stat -c %s "$p") bytes)"
        echo "linktype $(od -An -tu4 -j20 -N4 "$p" | tr -d ' '), snaplen $(od -An -tu4 -j16 -N4 "$p" | tr -d ' ')"
        echo "usbmon.txt: $(wc -l < "$SAMPLES/$S.usbmon.txt") lines, $(stat -c %s "$SAMPLES/$S.usbmon.txt") bytes"
        capinfos -c -s -u "$p" | tail -n +2
        tshark -r "$p" -q -z io,phs | sed -n '/Protocol Hierarchy/,$p' | grep -v '^ *text '
        echo "-- sense data (key asc ascq):"
        tshark -r "$p" -Y scsi.sns.key -T fields -e scsi.sns.key -e scsi.sns.asc -e scsi.sns.ascq | sort | uniq -c
    done > "$RIG_BUILD/summary.txt" 2>/dev/null
    echo "summary: $RIG_BUILD/summary.txt"
fi
[ "${KEEP_BUILD:-1}" = 1 ] || rm -rf "$RIG_BUILD"
if [ -n "$failed" ]; then echo "FAILED:$failed" >&2; exit 1; fi
echo "samples written to $(cd "$SAMPLES" && pwd)"
