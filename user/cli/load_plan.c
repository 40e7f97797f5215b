// SPDX-License-Identifier: Apache-2.0
/* A rules directory -> a checked model -> a plan, for validate and compile:
 * every problem printed with its file:line:col. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/diag.h"
#include "common/node.h"
#include "model/model.h"
#include "rules/rules.h"

int cli_load_plan(const char *node, const char *dir, struct gl_plan *p, int want_plan)
{
	char host[256];
	struct gl_model m;
	struct gl_diags d;
	int err;

	memset(&m, 0, sizeof(m));
	gl_diags_init(&d);
	err = gl_model_load_dir(dir, &m, &d);
	if (err != -ENOMEM) {
		/* cross-document checks run even after load errors: one run reports all */
		int v = gl_model_validate(&m, &d);

		err = err ? err : v;
	}
	if (!err && want_plan) {
		gl_model_drop_labels(&m);
		err = gl_plan_compile(&m, p, &(struct gl_compile_opts){
			.node = gl_node_name(node, host, sizeof(host)) }, &d);
	}
	gl_diags_print(&d, stderr);
	if (!err && gl_diags_errors(&d))
		err = -EINVAL;
	gl_model_free(&m);
	gl_diags_free(&d);
	return err;
}
