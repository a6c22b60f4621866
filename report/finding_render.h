/* finding_render.h - render a finding as a JSON record ("kind":"finding"), shared by lint and decode --findings. */
#ifndef SCSISCOPE_REPORT_FINDING_RENDER_H
#define SCSISCOPE_REPORT_FINDING_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "decode/decode.h"
#include "util/strbuf.h"

/* One JSON object, '\n'-terminated: {"kind":"finding","id","severity",
 * "family","bus","device","frames":[...],"message"}; bus and device are
 * null when the finding belongs to no device (have_dev false).  Fields in
 * doc/decode-json.md. */
void render_finding_json(struct strbuf *sb, const struct finding *f, bool have_dev, uint16_t bus, uint16_t dev);

#endif
