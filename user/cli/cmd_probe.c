// SPDX-License-Identifier: Apache-2.0
/* graylane probe: what this kernel has of what graylane uses. */
#include <stdio.h>

#include "cli.h"
#include "kernel/kernel_features.h"
#include "kernel/verifier_report.h"

/* What this kernel has of what graylane uses. */
int cmd_probe(struct cli *c)
{
	struct gl_features f;

	if (c->argc) {
		fprintf(stderr, "usage: graylane probe [--json]\n");
		return 2;
	}
	gl_features_probe(&f);
	if (!c->json)
		printf("kernel %s\n", gl_kernel_release());
	gl_features_print(&f, stdout, c->json, 0);
	if (!c->json && f.missing_required)
		printf("graylaned cannot run on this kernel: %d required feature(s) missing\n",
		       f.missing_required);
	else if (!c->json && f.no_recv)
		printf("graylaned runs here without the read tracepoints\n");
	return f.missing_required ? 1 : 0;
}
