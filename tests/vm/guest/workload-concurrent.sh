# workload-concurrent.sh - several commands in flight at once (sourced by the guest /init): for UAS with streams.
#
# $D is the block device (/dev/sda).  Four dd processes write, then read,
# 16 blocks each at LBA 8192 + 64 * i at the same time, so the uas driver
# has several tags in flight and the data URBs of different commands
# interleave on the bus.  Process i's data is the line "scsiscope
# concurrent i" repeated: the data of any READ(10)/WRITE(10) in that range
# says which LBA it belongs to.  The block layer merges the 512-byte
# requests into larger commands and reads the page before writing it.
workload() {
    for i in 0 1 2 3; do
        yes "scsiscope concurrent $i" | head -c 8192 > /tmp/pat$i
    done
    step 0 "4 parallel dd writes of 16 blocks at LBA 8192+64*i [WRITE(10), READ(10), merged]" \
        sh -c 'for i in 0 1 2 3; do dd if=/tmp/pat$i of='"$D"' bs=512 count=16 seek=$((8192 + 64 * i)) oflag=direct 2>/dev/null & done; wait'
    step 0 "4 parallel dd reads of the same blocks [READ(10), merged]" \
        sh -c 'for i in 0 1 2 3; do dd if='"$D"' of=/tmp/back$i bs=512 count=16 skip=$((8192 + 64 * i)) iflag=direct 2>/dev/null & done; wait'
    step 0 "compare (no bus traffic)" \
        sh -c 'for i in 0 1 2 3; do cmp /tmp/back$i /tmp/pat$i -n 8192 || exit 1; done'
}
