// SPDX-License-Identifier: Apache-2.0
/* graylane uninstall: detach and remove everything pinned under the root. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kernel/refusal.h"
#include "sync/pins.h"

int cmd_uninstall(struct cli *c)
{
	int removed, err;

	gl_start_error_clear(c->pin_root);
	err = gl_pins_uninstall(c->pin_root, &removed);
	if (err) {
		fprintf(stderr, "graylane: uninstall %s: %s (%d pins removed)\n", c->pin_root,
			strerror(-err), removed);
		return 1;
	}
	printf("graylane: removed %d pins under %s; programs detached\n", removed, c->pin_root);
	return 0;
}
