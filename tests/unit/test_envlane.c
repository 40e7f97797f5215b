// SPDX-License-Identifier: Apache-2.0
/* Workload lanes from a process environment (user/inventory/envlane.c). */
#include "inventory/envlane.h"
#include "testutil.h"

/* environ blocks are NUL-separated; sizeof includes the final NUL */
#define ENV(s) s, sizeof(s)

static void expect(const char *name, const char *env, size_t n, const char *lane, int conflict)
{
	size_t len = 0;
	int c = -1;
	const char *v = gl_env_lane_of(env, n, &len, &c);
	bool ok = lane ? v && len == strlen(lane) && !memcmp(v, lane, len) : !v;

	ok = ok && c == conflict;
	if (!t_check(ok, name))
		fprintf(stderr, "  want %s (conflict %d), got %.*s (conflict %d)\n",
			lane ? lane : "(none)", conflict, v ? (int)len : 6, v ? v : "(none)", c);
}

int main(void)
{
	expect("no variables", ENV("PATH=/bin\0HOME=/root"), NULL, 0);
	expect("label variable", ENV("PATH=/bin\0traffic.opensergo.io/label=gray\0X=1"), "gray", 0);
	expect("label variable first entry", ENV("traffic.opensergo.io/label=gray"), "gray", 0);
	expect("empty label: no lane", ENV("traffic.opensergo.io/label="), NULL, 0);
	expect("longer key is another variable", ENV("traffic.opensergo.io/labels=gray"), NULL, 0);
	expect("key as a value is no key", ENV("X=traffic.opensergo.io/label=gray"), NULL, 0);
	expect("bootstrap config",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={\"endpoint\":\"opensergo:10246\",\"OPENSERGO_LABEL\":\"gray\"}"),
	       "gray", 0);
	expect("bootstrap config with blanks",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={ \"OPENSERGO_LABEL\" :  \"canary\" }"), "canary", 0);
	expect("bootstrap config without the key",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={\"endpoint\":\"x\"}"), NULL, 0);
	expect("bootstrap key as a value is no key",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={\"x\":\"OPENSERGO_LABEL\"}"), NULL, 0);
	expect("bootstrap key with a non-string value",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={\"OPENSERGO_LABEL\":7}"), NULL, 0);
	expect("unterminated bootstrap string",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={\"OPENSERGO_LABEL\":\"gray"), NULL, 0);
	expect("both agree", ENV("traffic.opensergo.io/label=gray\0"
				 "OPENSERGO_BOOTSTRAP_CONFIG={\"OPENSERGO_LABEL\":\"gray\"}"), "gray", 0);
	expect("both disagree: the variable wins, conflict reported",
	       ENV("OPENSERGO_BOOTSTRAP_CONFIG={\"OPENSERGO_LABEL\":\"blue\"}\0"
		   "traffic.opensergo.io/label=gray"), "gray", 1);
	expect("truncated block (no final NUL)", "traffic.opensergo.io/label=gray",
	       strlen("traffic.opensergo.io/label=gray"), "gray", 0);
	expect("empty block", "", 0, NULL, 0);
	return t_done();
}
