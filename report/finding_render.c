/* finding_render.c - a finding as one JSON line (lint --json, decode --json --findings). */
#include "config.h"
#include "report/finding_render.h"

#include <string.h>

#include "analyze/lint.h"

void render_finding_json(struct strbuf *sb, const struct finding *f, bool have_dev, uint16_t bus, uint16_t dev)
{
	const struct check_info *ci = check_find(f->id);

	sb_adds(sb, "{\"kind\":\"finding\",\"id\":\"");
	sb_add_json_str(sb, f->id, strlen(f->id));
	sb_adds(sb, "\",\"severity\":\"");
	sb_adds(sb, severity_name(f->severity));
	sb_adds(sb, "\",\"family\":");
	if (ci) {
		sb_adds(sb, "\"");
		sb_adds(sb, ci->family);
		sb_adds(sb, "\"");
	} else {
		sb_adds(sb, "null");
	}
	if (have_dev) {
		sb_adds(sb, ",\"bus\":");
		sb_add_u64(sb, bus);
		sb_adds(sb, ",\"device\":");
		sb_add_u64(sb, dev);
	} else {
		sb_adds(sb, ",\"bus\":null,\"device\":null");
	}
	sb_adds(sb, ",\"frames\":[");
	for (unsigned i = 0; i < f->nframes && i < FINDING_FRAMES_MAX; i++) {
		if (i)
			sb_adds(sb, ",");
		sb_add_u64(sb, f->frames[i]);
	}
	sb_adds(sb, "],\"message\":\"");
	sb_add_json_str(sb, f->msg, strnlen(f->msg, sizeof(f->msg)));
	sb_adds(sb, "\"}\n");
}
