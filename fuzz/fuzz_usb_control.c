/* fuzz_usb_control.c - libFuzzer target: a setup packet and its data stage through the control-request and descriptor decoders (summary and every field). */
#include "decode/usb_control.h"
#include "fuzz/fuzz.h"

FUZZ_ENTRY(usb_control)
{
	struct strbuf sb = STRBUF_INIT;
	uint8_t setup[8] = { 0 };
	char str[USB_STRING_MAX + 1];

	if (size < 8)
		return 0;
	memcpy(setup, data, 8);
	sb_init(&sb);
	usb_request_name(setup);
	usb_control_summary(&sb, setup, data + 8, size - 8);
	usb_control_describe(&sb, setup, data + 8, size - 8, "  ");
	usb_descriptors_describe(&sb, data + 8, size - 8, "  ");
	usb_string_descriptor(data + 8, size - 8, str, sizeof(str));
	sb_release(&sb);
	return 0;
}
