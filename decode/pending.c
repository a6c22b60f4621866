/* pending.c - TEMPORARY: decode layers not written yet. Each helper deletes the stubs it implements; the file goes before issue 3 closes. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode/device.h"
#include "decode/scsi.h"
#include "decode/storage.h"
#include "decode/usb_control.h"

