// SPDX-License-Identifier: Apache-2.0
/* The twin keeper's address (keeper_addr.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "fnv.h"
#include "keeper_addr.h"

socklen_t gl_keep_addr(const char *pin_root, struct sockaddr_un *a)
{
	int n;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* abstract (sun_path[0] = 0): no file to leave behind, gone with the keeper */
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "graylane-keeper-%d:%s",
		     GL_KEEP_VERSION, pin_root);
	if (n < 0 || (size_t)n >= sizeof(a->sun_path) - 1)
		n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "graylane-keeper-%d:%016llx",
			     GL_KEEP_VERSION, (unsigned long long)gl_fnv64(GL_FNV64_INIT, pin_root,
									   strlen(pin_root)));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}
