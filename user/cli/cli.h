/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of graylane (the CLI): one file each, one table (graylane.c). */
#ifndef GL_CLI_H
#define GL_CLI_H

#include "plan/plan.h"

#define CLI_HEADERS_MAX 64

/* The command line after the global options: argv[0..argc) are the
 * command's own arguments. */
struct cli {
	const char *pin_root;
	const char *out;	/* --out FILE */
	const char *log_dir;	/* --log-dir DIR */
	const char *node;	/* --node NAME: whose sample of a lane too large (load_plan.c) */
	int json;
	/* graylane explain's request */
	const char *rules, *from, *to, *method, *path;
	const char *headers[CLI_HEADERS_MAX];	/* -H 'name: value', --cookie as "Cookie: ..." */
	int nheaders;
	/* graylane events' filters and limits */
	const char *workload, *lane, *count, *rate;
	/* graylane top's refresh */
	const char *interval;
	int once;
	char given[32];			/* the letters of the command options given */
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
int cmd_explain(struct cli *c);
int cmd_metrics(struct cli *c);
int cmd_events(struct cli *c);
int cmd_layout(struct cli *c);
int cmd_top(struct cli *c);

/* dir's rules loaded and validated, and compiled into p when want_plan;
 * problems printed to stderr. 0 or a negative errno. */
/* node: as graylaned's --node-name (NULL: $NODE_NAME, else the host name). */
int cli_load_plan(const char *node, const char *dir, struct gl_plan *p, int want_plan);

#endif
