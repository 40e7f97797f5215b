// SPDX-License-Identifier: Apache-2.0
/* graylane validate DIR: the rules checked and compiled, nothing applied. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_validate(struct cli *c)
{
	struct gl_plan p;
	int err;

	if (c->argc != 1) {
		fprintf(stderr, "usage: graylane validate DIR\n");
		return 2;
	}
	memset(&p, 0, sizeof(p));
	/* compile too: it refuses what would not fit the maps */
	err = cli_load_plan(c->node, c->argv[0], &p, 1);
	gl_plan_free(&p);
	if (err)
		return 1;
	printf("%s: ok\n", c->argv[0]);
	return 0;
}
