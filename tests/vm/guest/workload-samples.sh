# workload-samples.sh - the small workload recorded in samples/ (sourced by the guest /init).
#
# $D is the block device (/dev/sda), $G its sg node.  Each step names the
# exit status sg3_utils must return (sg3_utils(8): 2 NOT READY, 5 ILLEGAL
# REQUEST, 9 ILLEGAL REQUEST / invalid opcode).  The SCSI commands each step
# puts on the wire are in brackets; the kernel adds PREVENT/ALLOW MEDIUM
# REMOVAL and TEST UNIT READY around every open of the (removable) $D.
workload() {
    # 4 KiB pattern, recognisable in a hex dump
    yes 'scsiscope sample pattern @LBA 4096: 0123456789abcdef' | head -c 4096 > /tmp/pat
    step 0 "standard INQUIRY [INQUIRY]"                 sg_inq "$G"
    step 0 "READ CAPACITY(10)"                          sg_readcap "$G"
    step 0 "TEST UNIT READY"                            sg_turs "$G"
    step 0 "write 4 KiB at LBA 4096, O_DIRECT [WRITE(10), 8 blocks]" \
        dd if=/tmp/pat of="$D" bs=4096 count=1 seek=512 oflag=direct
    step 0 "read the same 4 KiB back, O_DIRECT [READ(10), 8 blocks]" \
        dd if="$D" of=/tmp/back bs=4096 count=1 skip=512 iflag=direct
    step 0 "compare (no bus traffic)"                   cmp /tmp/pat /tmp/back
    step 0 "SYNCHRONIZE CACHE(10)"                      sg_sync "$G"
    step 9 "vendor-specific opcode 0xC0 -> ILLEGAL REQUEST 05/20/00" \
        sg_raw "$G" c0 00 00 00 00 00
    step 5 "INQUIRY EVPD, unsupported page 0xAB -> ILLEGAL REQUEST 05/24/00" \
        sg_raw -r 255 "$G" 12 01 ab 00 ff 00
    step 0 "eject [START STOP UNIT LoEj=1 Start=0]"     sg_start --eject "$G"
    step 2 "TEST UNIT READY after eject -> NOT READY 02/3a/00" sg_turs "$G"
}
