// SPDX-License-Identifier: Apache-2.0
/* graylane metrics: the Prometheus text graylaned serves (user/sync/metrics.c), printed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sync/metrics.h"

int cmd_metrics(struct cli *c)
{
	int err;

	if (c->argc) {
		fprintf(stderr, "usage: graylane metrics\n");
		return 2;
	}
	err = gl_metrics_write(c->pin_root, stdout);
	if (err)
		fprintf(stderr, "graylane metrics: %s under %s\n",
			err == -ENOENT ? "nothing installed" : "maps unreadable", c->pin_root);
	return err ? 1 : 0;
}
