// SPDX-License-Identifier: Apache-2.0
/*
 * graylane layout: the layout of the maps pinned under the pin root against
 * this build's, map by map, with what a daemon of this build taking them
 * over would do (user/sync/layout.h). With nothing pinned: this build's
 * layout alone, the form tests/maps/record.txt keeps.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "graylane.skel.h"
#include "sync/layout.h"

static void shape(const struct gl_map_shape *s, int have, char *buf, size_t len)
{
	if (!have)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s k%u v%u n%u f%u %016llx",
			 libbpf_bpf_map_type_str(s->type) ? libbpf_bpf_map_type_str(s->type) : "?",
			 s->key_size, s->value_size, s->max_entries, s->flags,
			 (unsigned long long)s->btf);
}

static void print_text(const struct gl_layout *lay, int pinned)
{
	char a[128], b[128];

	if (pinned)
		printf("layout %u pinned, this build %u\n", lay->pinned_layout, lay->built_layout);
	else
		printf("layout %u\n", lay->built_layout);
	for (int i = 0; i < lay->nrows; i++) {
		const struct gl_layout_row *r = &lay->rows[i];

		shape(&r->cur, r->built, b, sizeof(b));
		if (!pinned) {
			printf("%-16s %-8s %s\n", r->name, gl_layout_class_name(r->cls), b);
			continue;
		}
		shape(&r->old, r->pinned, a, sizeof(a));
		printf("%-16s %-8s %-7s pinned %s\n%25s built  %s\n", r->name,
		       gl_layout_class_name(r->cls), gl_layout_verdict_name(r->verdict), a, "", b);
	}
	if (pinned)
		printf("takeover: %s\n", lay->refuse ? "REFUSED (a map of open connections' state "
		       "changed: drain, uninstall, start)" : lay->changed ? "upgrade (maps rebuilt, "
		       "carried or reset as listed)" : "in place (every map kept)");
}

static void print_json(const struct gl_layout *lay, int pinned)
{
	printf("{\"pinned_layout\":%u,\"built_layout\":%u,\"takeover\":\"%s\",\"maps\":[",
	       lay->pinned_layout, lay->built_layout, !pinned ? "fresh" : lay->refuse ? "refused" :
	       lay->changed ? "upgrade" : "in_place");
	for (int i = 0; i < lay->nrows; i++)
		printf("%s{\"name\":\"%s\",\"class\":\"%s\",\"verdict\":\"%s\"}", i ? "," : "",
		       lay->rows[i].name, gl_layout_class_name(lay->rows[i].cls),
		       gl_layout_verdict_name(lay->rows[i].verdict));
	printf("]}\n");
}

int cmd_layout(struct cli *c)
{
	struct graylane_bpf *skel;
	struct gl_layout lay;
	int err, pinned;

	if (c->argc) {
		fprintf(stderr, "usage: graylane layout [--json]\n");
		return 2;
	}
	skel = graylane_bpf__open();	/* opened, not loaded: no root needed */
	if (!skel) {
		fprintf(stderr, "graylane: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	err = gl_layout_compare(c->pin_root, skel->obj, &lay);
	graylane_bpf__destroy(skel);
	if (err) {
		fprintf(stderr, "graylane: layout of %s: %s\n", c->pin_root, strerror(-err));
		return 1;
	}
	pinned = lay.pinned_layout != 0;
	if (c->json)
		print_json(&lay, pinned);
	else
		print_text(&lay, pinned);
	return pinned && lay.refuse ? 1 : 0;
}
