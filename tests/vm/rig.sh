# rig.sh - shared functions of the QEMU usbmon capture rig (sourced by make-samples.sh, never run).
# shellcheck shell=bash
#
# The rig boots the stock Debian kernel under QEMU (TCG) with an emulated USB
# mass-storage device (QEMU usb-storage for BOT, usb-uas + scsi-hd for UAS)
# and runs tests/vm/guest/init inside it.  The guest captures usbmon with
# tcpdump (pcap, link type 220) and the debugfs text interface while it runs
# a workload (tests/vm/guest/workload-<name>.sh), tars its /out directory onto
# a raw virtio disk and powers off; the host unpacks that disk.
#
# Every path is relative to this file.  Intermediate files go in $RIG_BUILD
# (default tests/vm/build/, which is gitignored).
#
# Functions (each returns non-zero on failure):
#   rig_install_packages [pkg...]   apt-get update + install the rig's packages (+ extra ones)
#   rig_kernel                      set RIG_KVER / RIG_VMLINUZ to the newest installed kernel (Debian -amd64, Ubuntu -generic)
#   rig_build_initramfs             build $RIG_BUILD/initrd.gz (busybox, modules, tools, guest/)
#   rig_extract_vmlinux             extract $RIG_BUILD/vmlinux from /boot/vmlinuz-$RIG_KVER
#   rig_run NAME SCENARIO WORKLOAD  one boot; results unpacked in $RIG_BUILD/run-NAME/x/
#   rig_check NAME                  is the capture of that run complete and the workload PASS?
#
# Environment:
#   RIG_BUILD       build directory (default: build/ beside this file)
#   RIG_ACCEL       tcg (default) or kvm
#   RIG_EXTRA_BINS  extra host programs to copy into the guest's /usr/bin (with their libraries)
#   RIG_TOOLS       host programs the guest gets (default: tcpdump and the sg3_utils tools)
#   RIG_INIT        the guest's /init (default: guest/init)
#   RIG_EXTRA_FILES a directory whose files go into the guest's /rig/
#   RIG_TERMINFO    terminfo entries (names) the guest gets in /usr/share/terminfo
#   RIG_EXTRA_PATHS host files or directories copied to the same path in the guest
#   RIG_TIMEOUT     seconds before a QEMU run is killed (default 300)

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIG_BUILD=${RIG_BUILD:-$RIG_DIR/build}
RIG_PACKAGES="qemu-system-x86 linux-image-amd64 busybox-static tcpdump sg3-utils cpio gzip kmod xz-utils"
# Kernel modules the guest loads (their dependencies are added automatically).
RIG_MODULES="usbmon usb-storage uas sd_mod sg ehci_pci xhci_pci virtio_pci virtio_blk"
# sg3_utils programs the workloads may use.
RIG_SG_TOOLS="sg_inq sg_vpd sg_turs sg_readcap sg_requests sg_raw sg_sync sg_start sg_modes"

rig_ts() { date +%s.%N; }
rig_elapsed() { awk -v a="$1" -v b="$(rig_ts)" 'BEGIN { printf "%.1f", b - a }'; }

rig_install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $RIG_PACKAGES "$@" >/dev/null
}

rig_kernel() {
    local k
    RIG_KVER=""
    for k in /lib/modules/*-amd64 /lib/modules/*-generic; do
        [ -d "$k" ] && RIG_KVER=$(printf '%s\n%s\n' "$RIG_KVER" "${k##*/}" | sort -V | tail -1)
    done
    RIG_VMLINUZ=/boot/vmlinuz-$RIG_KVER
    if [ -z "$RIG_KVER" ] || [ ! -r "$RIG_VMLINUZ" ]; then
        echo "rig: no Debian -amd64 kernel in /lib/modules and /boot (install linux-image-amd64)" >&2
        return 1
    fi
}

# _rig_copy_bin ROOT PROGRAM: copy a host program and its shared libraries into ROOT
_rig_copy_bin() {
    local root=$1 prog=$2 lib
    cp "$prog" "$root/usr/bin/"
    ldd "$prog" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
        [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
    done
}

# _rig_copy_terminfo ROOT NAME: copy the host's terminfo entry NAME into ROOT/usr/share/terminfo
_rig_copy_terminfo() {
    local root=$1 name=$2 d f
    for d in /etc/terminfo /lib/terminfo /usr/share/terminfo; do
        f=$d/${name:0:1}/$name
        if [ -r "$f" ]; then
            mkdir -p "$root/usr/share/terminfo/${name:0:1}"
            cp -L "$f" "$root/usr/share/terminfo/${name:0:1}/"
            return 0
        fi
    done
    echo "rig: no terminfo entry $name on the host (Debian: ncurses-base, ncurses-term)" >&2
    return 1
}

rig_build_initramfs() {
    local st=$RIG_BUILD/initramfs m ko p
    rm -rf "$st"
    mkdir -p "$st"/{bin,sbin,etc,proc,sys,dev,tmp,out,rig,usr/bin,usr/sbin,lib64,lib/x86_64-linux-gnu}
    cp /bin/busybox "$st/bin/busybox"
    ln -s busybox "$st/bin/sh"

    # Kernel modules plus the dependencies the host's modprobe resolves;
    # compressed modules are unpacked so the guest needs no decompressor.
    for m in $RIG_MODULES; do
        modprobe -S "$RIG_KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
    done | sort -u | while read -r ko; do
        mkdir -p "$st$(dirname "$ko")"
        case "$ko" in
            *.xz)  xz -dc "$ko" > "$st${ko%.xz}" ;;
            *.zst) zstd -qdc "$ko" > "$st${ko%.zst}" ;;
            *)     cp "$ko" "$st$ko" ;;
        esac
    done
    cp /lib/modules/"$RIG_KVER"/modules.{order,builtin,builtin.modinfo} "$st/lib/modules/$RIG_KVER/" 2>/dev/null || true
    depmod -b "$st" "$RIG_KVER"

    # Userspace tools and their libraries.
    for p in ${RIG_TOOLS-tcpdump $RIG_SG_TOOLS}; do _rig_copy_bin "$st" "$(command -v "$p")"; done
    for p in ${RIG_EXTRA_BINS:-}; do _rig_copy_bin "$st" "$p"; done
    for p in ${RIG_TERMINFO:-}; do _rig_copy_terminfo "$st" "$p" || return 1; done
    for p in ${RIG_EXTRA_PATHS:-}; do
        [ -e "$p" ] || { echo "rig: no $p on the host" >&2; return 1; }
        mkdir -p "$st$(dirname "$p")"; cp -RL "$p" "$st$p"
    done
    # tcpdump -Z root looks the user up
    printf 'root:x:0:0:root:/:/bin/sh\n' > "$st/etc/passwd"
    printf 'root:x:0:\n' > "$st/etc/group"

    cp "${RIG_INIT:-$RIG_DIR/guest/init}" "$st/init"
    cp "$RIG_DIR"/guest/workload-*.sh "$st/rig/"
    [ -z "${RIG_EXTRA_FILES:-}" ] || cp -R "$RIG_EXTRA_FILES"/. "$st/rig/"
    chmod +x "$st/init"
    (cd "$st" && find . | cpio -o -H newc --quiet | gzip -6) > "$RIG_BUILD/initrd.gz"
}

# Debian's bzImage hangs early under the nested KVM of the machine the shared
# rig was developed on; the uncompressed ELF vmlinux, booted through QEMU's
# PVH entry point (CONFIG_PVH=y in Debian), works under both KVM and TCG.
# It is the xz payload of /boot/vmlinuz-*.
rig_extract_vmlinux() {
    local off
    off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$RIG_VMLINUZ" | head -1 | cut -d: -f1)
    [ -n "$off" ] || { echo "rig: no xz payload in $RIG_VMLINUZ" >&2; return 1; }
    { tail -c +$((off + 1)) "$RIG_VMLINUZ" || true; } | xz -dc --single-stream > "$RIG_BUILD/vmlinux" 2>/dev/null || true
    [ "$(head -c 4 "$RIG_BUILD/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || {
        echo "rig: vmlinux extraction from $RIG_VMLINUZ failed" >&2
        return 1
    }
}

# _rig_disk FILE: 16 MiB raw disk, MBR with one FAT32-LBA (0x0c) partition at LBA 2048
_rig_disk() {
    truncate -s 0 "$1"; truncate -s 16M "$1"
    printf 'SSCP' | dd of="$1" bs=1 seek=440 conv=notrunc status=none
    printf '\x00\xfe\xff\xff\x0c\xfe\xff\xff\x00\x08\x00\x00\x00\x78\x00\x00' |
        dd of="$1" bs=1 seek=446 conv=notrunc status=none
    printf '\x55\xaa' | dd of="$1" bs=1 seek=510 conv=notrunc status=none
}

# _rig_scenario SCENARIO: set HC, DEVS, UNPLUG_CMDS, PLUG_CMDS for a scenario
#   bot-ehci  usb-storage (BOT) on EHCI, high speed
#   bot-xhci  usb-storage (BOT) on xHCI (QEMU 7.2 enumerates it at SuperSpeed)
#   uas-ehci  usb-uas + scsi-hd on EHCI, high speed, no streams (READ/WRITE READY IUs)
#   uas-xhci  usb-uas + scsi-hd on xHCI, SuperSpeed, bulk streams
# The unplug/plug is a real hot-unplug/plug as the guest's host controller
# sees it.  usb-storage has no settable "attached" property, so it is
# device_del'ed and device_add'ed (the disk is a -blockdev node, which
# survives that; a -drive would be deleted with the device); usb-uas is
# detached and re-attached with qom-set.
_rig_scenario() {
    case "$1" in
        *-ehci) HC="-device usb-ehci,id=hc" ;;
        *-xhci) HC="-device qemu-xhci,id=hc" ;;
        *) echo "rig: unknown scenario $1" >&2; return 1 ;;
    esac
    case "$1" in
        bot-*)
            local dev="usb-storage,id=stor,bus=hc.0,drive=d0,removable=on,serial=SSBOT0001"
            DEVS=(-device "$dev")
            UNPLUG_CMDS=("device_del stor")
            PLUG_CMDS=("device_add $dev") ;;
        uas-*)
            DEVS=(-device "usb-uas,id=uas,bus=hc.0,serial=SSUAS0001"
                  -device "scsi-hd,id=lun0,bus=uas.0,scsi-id=0,lun=0,drive=d0,removable=on,serial=SSUASLUN0")
            UNPLUG_CMDS=("qom-set /machine/peripheral/uas attached false")
            PLUG_CMDS=("qom-set /machine/peripheral/uas attached true") ;;
        *) echo "rig: unknown scenario $1" >&2; return 1 ;;
    esac
}

# _rig_hmp RUNDIR COMMAND: one command to the QEMU human monitor (a FIFO pair)
_rig_hmp() {
    echo "$(date +%T.%N) hmp: $2" >> "$1/hotplug.log"
    printf '%s\n' "$2" > "$1/mon.in"
}

# _rig_watcher RUNDIR: answer the guest's RIG-REQUEST-UNPLUG, then RIG-REQUEST-PLUG
# console markers with the scenario's monitor commands (gives up after 300 s)
_rig_watcher() {
    local w=$1 word n c
    for word in UNPLUG PLUG; do
        n=0
        until grep -qa "RIG-REQUEST-$word" "$w/console.log"; do
            sleep 0.1; n=$((n + 1)); [ $n -lt 3000 ] || return 0
        done
        if [ $word = UNPLUG ]; then
            for c in "${UNPLUG_CMDS[@]}"; do _rig_hmp "$w" "$c"; done
        else
            for c in "${PLUG_CMDS[@]}"; do _rig_hmp "$w" "$c"; done
        fi
    done
}

rig_run() {
    local name=$1 scenario=$2 workload=$3 w=$RIG_BUILD/run-$1 accel moncat watcher rc=0
    local HC DEVS UNPLUG_CMDS PLUG_CMDS
    _rig_scenario "$scenario" || return 1
    case "${RIG_ACCEL:-tcg}" in
        kvm) accel="-enable-kvm -cpu host" ;;
        *)   accel="-accel tcg,thread=multi" ;;
    esac
    rm -rf "$w"; mkdir -p "$w/x"
    _rig_disk "$w/disk.img"
    truncate -s 16M "$w/out.img"
    mkfifo "$w/mon.in" "$w/mon.out"
    cat "$w/mon.out" > "$w/monitor.log" & moncat=$!
    : > "$w/console.log"
    _rig_watcher "$w" & watcher=$!
    # shellcheck disable=SC2086
    timeout "${RIG_TIMEOUT:-300}" qemu-system-x86_64 $accel -m 512 -smp 2 \
        -nodefaults -no-user-config -display none -serial stdio -no-reboot \
        -chardev pipe,id=mon0,path="$w/mon" -mon chardev=mon0,mode=readline \
        -kernel "$RIG_BUILD/vmlinux" -initrd "$RIG_BUILD/initrd.gz" \
        -append "console=ttyS0 panic=-1 loglevel=4 rig.name=$name rig.scenario=$scenario rig.workload=$workload" \
        -blockdev driver=file,filename="$w/disk.img",node-name=f0 \
        -blockdev driver=raw,file=f0,node-name=d0 \
        $HC "${DEVS[@]}" \
        -drive if=none,id=o,file="$w/out.img",format=raw -device virtio-blk-pci,drive=o \
        >> "$w/console.log" 2>&1 || rc=$?
    [ $rc = 0 ] || echo "rig: qemu exit status $rc (see $w/console.log)" >&2
    kill "$watcher" 2>/dev/null || true; wait "$watcher" 2>/dev/null || true
    kill "$moncat" 2>/dev/null || true; wait "$moncat" 2>/dev/null || true
    # HMP echoes keystrokes: keep only its error lines
    grep -a 'Error' "$w/monitor.log" | sed 's/^/monitor: /' >> "$w/hotplug.log" || true
    tar -xf "$w/out.img" -C "$w/x" 2>/dev/null || true
    return $rc
}

rig_check() {
    local name=$1 x=$RIG_BUILD/run-$1/x
    [ -s "$x/$name.pcap" ] || { echo "check: no pcap"; return 1; }
    [ "$(od -An -tu4 -j20 -N4 "$x/$name.pcap" | tr -d ' ')" = 220 ] || { echo "check: pcap link type is not 220"; return 1; }
    grep -q '^0 packets dropped by kernel' "$x/$name.tcpdump.log" || { echo "check: tcpdump dropped packets"; return 1; }
    grep -q 'text_lost 0' "$x/$name.usbmon-stats.txt" || { echo "check: usbmon text interface lost events"; return 1; }
    grep -q '^WORKLOAD: PASS' "$x/$name.commands.log" || { echo "check: workload did not pass"; return 1; }
}
