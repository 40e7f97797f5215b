/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of graylane (the CLI): one file each, one table (graylane.c). */
#ifndef GL_CLI_H
#define GL_CLI_H

#include "plan/plan.h"

/* The command line after the global options: argv[0..argc) are the
 * command's own arguments. */
struct cli {
	const char *pin_root;
	const char *out;	/* --out FILE */
	const char *log_dir;	/* --log-dir DIR */
	int json;
	int argc;
	char **argv;
};

/* Each returns the exit status: 0, 1 (failed or not ready), 2 (usage). */
int cmd_validate(struct cli *c);
int cmd_compile(struct cli *c);
int cmd_status(struct cli *c);
int cmd_dump(struct cli *c);
int cmd_uninstall(struct cli *c);
int cmd_probe(struct cli *c);
int cmd_verifier_report(struct cli *c);

/* dir's rules loaded and validated, and compiled into p when want_plan;
 * problems printed to stderr. 0 or a negative errno. */
int cli_load_plan(const char *dir, struct gl_plan *p, int want_plan);

#endif
