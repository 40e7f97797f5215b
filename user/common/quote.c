// SPDX-License-Identifier: Apache-2.0
/* Printable, bounded user text for diagnostics: see quote.h. */
#include <stdio.h>
#include <string.h>

#include "quote.h"

static int is_utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

struct gl_qbuf gl_q(const char *s)
{
	struct gl_qbuf q;
	size_t len = s ? strlen(s) : 0, show = len, o = 0;

	if (show > GL_Q_SHOW) {
		show = GL_Q_SHOW;
		/* never cut a UTF-8 sequence in half */
		while (show && is_utf8_cont((unsigned char)s[show]))
			show--;
	}
	for (size_t i = 0; i < show; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f) {
			snprintf(q.s + o, sizeof(q.s) - o, "\\x%02x", c);
			o += 4;
		} else {
			q.s[o++] = (char)c;
		}
	}
	if (show < len) {
		memcpy(q.s + o, "...", 3);
		o += 3;
	}
	q.s[o] = '\0';
	return q;
}
