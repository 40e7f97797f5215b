// SPDX-License-Identifier: Apache-2.0
/* graylane dump [MAP]: every pinned map, decoded (dump.c). */
#include <stdio.h>

#include "cli.h"
#include "dump.h"

int cmd_dump(struct cli *c)
{
	if (c->argc > 1) {
		fprintf(stderr, "usage: graylane dump [MAP] [--json]\n");
		return 2;
	}
	return gl_dump(c->pin_root, c->argc ? c->argv[0] : NULL, c->json, stdout) ? 1 : 0;
}
