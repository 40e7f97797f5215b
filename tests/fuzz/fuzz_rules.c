// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target for the whole rules pipeline on one YAML file: load,
 * validate, compile, print (text and JSON) and free. Beyond crashes, leaks
 * and undefined behaviour (ASan/UBSan), it checks two promises:
 * - a set validation accepts always compiles (validation catches every
 *   conflict compile would meet), and a set with errors never does;
 * - a compiled plan fits the maps (lanes, endpoints per set, entries).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <graylane/limits.h>

#include "common/diag.h"
#include "model/model.h"
#include "plan/plan.h"
#include "rules/rules.h"

static FILE *devnull;

static void check_plan(const struct gl_plan *p)
{
	if (p->nlanes < 1 || p->nlanes > GL_LANES_MAX ||
	    p->nworkloads > GL_PLAN_WORKLOADS_MAX || p->nservices > GL_PLAN_SERVICES_MAX ||
	    p->naddrs > GL_PLAN_SERVICE_ADDRS_MAX || p->nbackends > GL_PLAN_BACKENDS_MAX)
		abort();
	for (size_t i = 0; i < p->nbackends; i++)
		if (p->backends[i].count < 1 ||
		    p->backends[i].count > GL_LANE_ENDPOINTS_MAX)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gl_model m;
	struct gl_diags d;
	struct gl_plan p;
	int ret;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
	gl_model_init(&m);
	gl_diags_init(&d);
	gl_model_load_buffer("fuzz.yaml", (const char *)data, size, &m, &d);
	gl_model_validate(&m, &d);
	ret = gl_plan_compile(&m, &p, NULL, &d);
	if (ret == -EINVAL && !m.nerrors)
		abort();	/* validation let through what compile refuses */
	if (!ret) {
		if (gl_diags_errors(&d))
			abort();
		check_plan(&p);
		gl_plan_print(&p, devnull, false);
		gl_plan_print(&p, devnull, true);
		gl_plan_free(&p);
	}
	gl_diags_print(&d, devnull);
	gl_model_free(&m);
	gl_diags_free(&d);
	return 0;
}
