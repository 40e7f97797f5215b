// SPDX-License-Identifier: Apache-2.0
/* This node's name (node.h). */
#include <stdlib.h>
#include <unistd.h>

#include "common/node.h"

const char *gl_node_name(const char *given, char *buf, size_t len)
{
	const char *env = getenv("NODE_NAME");

	if (given)
		return given;
	if (env && *env)
		return env;
	if (!len || gethostname(buf, len))
		return NULL;
	buf[len - 1] = 0;
	return buf;
}
