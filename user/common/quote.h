/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User text inside a diagnostic: bounded and printable, so a hostile or
 * broken file cannot flood the terminal or split a diagnostic over lines.
 * Use as gl_q(s).s in a printf argument list (the temporary lives until the
 * end of the full expression).
 */
#ifndef GL_QUOTE_H
#define GL_QUOTE_H

#define GL_Q_SHOW	64	/* bytes shown before "..." */

struct gl_qbuf {
	char s[GL_Q_SHOW * 4 + 4];	/* every byte may become \xNN, plus "..." */
};

struct gl_qbuf gl_q(const char *s);

#endif
