// SPDX-License-Identifier: Apache-2.0
/* graylane compile DIR: the map entries the rules compile to (text or JSON). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_compile(struct cli *c)
{
	struct gl_plan p;
	int err;

	if (c->argc != 1) {
		fprintf(stderr, "usage: graylane compile DIR [--json]\n");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	err = cli_load_plan(c->node, c->argv[0], &p, 1);
	if (!err)
		gl_plan_print(&p, stdout, c->json);
	gl_plan_free(&p);
	return err ? 1 : 0;
}
