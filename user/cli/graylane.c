// SPDX-License-Identifier: Apache-2.0
/*
 * graylane: the operator's CLI, its options and its command table. validate
 * and compile need no root; status, dump and uninstall read the pin root.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <graylane/abi.h>

#include "cli.h"
#include "sync/layout.h"
#include "sync/pins.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *c);
	const char *help;
	const char *opts;	/* its own options (request_opt's letters) */
	int reads;		/* reads the pinned maps' values: only of this build's layout */
} cmds[] = {
	{ "validate", cmd_validate, "validate DIR          check a rules directory", "", 0 },
	{ "compile", cmd_compile, "compile DIR [--json]  print the map entries the rules compile to", "", 0 },
	{ "status", cmd_status, "status [--json]       attached programs, generation, plan in force", "", 1 },
	{ "dump", cmd_dump, "dump [MAP] [--json]   decoded map contents and counters", "", 1 },
	{ "uninstall", cmd_uninstall, "uninstall             detach and remove everything pinned", "", 0 },
	{ "explain", cmd_explain,
	  "explain --rules DIR --from WORKLOAD --to ADDR[:PORT] [-H 'NAME: VALUE' ...]\n"
	  "        [--method M] [--path P] [--cookie C] [--json]\n"
	  "                        the lane, rule, endpoints and header of one request", "RFTHMPC", 1 },
	{ "events", cmd_events,
	  "events [--rules DIR] [--workload W] [--lane L] [--rate N] [--count N] [--json]\n"
	  "                        the kernel's connect decisions, streamed while it runs", "RWLNQ", 1 },
	{ "top", cmd_top,
	  "top [--rules DIR] [--interval SEC] [--once] [--count N] [--json]\n"
	  "                        services x lanes: requests, connects, fallbacks, errors per second", "RION", 1 },
	{ "metrics", cmd_metrics, "metrics               the Prometheus text graylaned serves on --metrics", "", 1 },
	{ "layout", cmd_layout, "layout [--json]       the pinned maps' layout against this build's", "", 0 },
	{ "probe", cmd_probe, "probe [--json]        the kernel features graylane uses, present or not", "", 0 },
	{ "verifier-report", cmd_verifier_report,
	  "verifier-report [--out FILE] [--log-dir DIR] [OBJ.o ...]\n"
	  "                        each program through this kernel's verifier, alone", "", 0 },
};

/* Maps of another layout are not read with this build's structs (layout.h). */
static int same_layout(const char *root)
{
	uint32_t pinned = gl_layout_pinned(root);

	if (!pinned || pinned == GL_LAYOUT_VERSION)
		return 1;
	fprintf(stderr, "graylane: the maps under %s are of layout %u and this graylane reads "
		"layout %u: use the graylane of the running daemon's build ('graylane layout' "
		"compares the two)\n", root, pinned, GL_LAYOUT_VERSION);
	return 0;
}

static const char *const opt_names[] = { ['R'] = "--rules", ['F'] = "--from", ['T'] = "--to",
	['H'] = "-H", ['M'] = "--method", ['P'] = "--path", ['C'] = "--cookie",
	['W'] = "--workload", ['L'] = "--lane", ['N'] = "--count", ['Q'] = "--rate",
	['I'] = "--interval", ['O'] = "--once" };

/* A command's own options (cli.h), noted for the check that the command
 * takes them; 0, or -1 after a usage error */
static int request_opt(struct cli *c, int o)
{
	const char **field = o == 'R' ? &c->rules : o == 'F' ? &c->from : o == 'T' ? &c->to :
			     o == 'M' ? &c->method : o == 'P' ? &c->path : o == 'W' ? &c->workload :
			     o == 'L' ? &c->lane : o == 'N' ? &c->count : o == 'Q' ? &c->rate :
			     o == 'I' ? &c->interval : NULL;

	if (o <= 0 || o > 'Z' || !opt_names[o])
		return 0;
	if (!strchr(c->given, o))
		c->given[strlen(c->given)] = (char)o;
	if (field) {
		*field = optarg;
		return 0;
	}
	if (o == 'O') {
		c->once = 1;
		return 0;
	}
	if (c->nheaders == CLI_HEADERS_MAX) {
		fprintf(stderr, "graylane: more than %d headers\n", CLI_HEADERS_MAX);
		return -1;
	}
	if (o == 'C') {
		/* a Cookie line of its own, as a client with two cookie jars sends */
		static char lines[CLI_HEADERS_MAX][4096];

		snprintf(lines[c->nheaders], sizeof(lines[0]), "Cookie: %s", optarg);
		c->headers[c->nheaders] = lines[c->nheaders];
		c->nheaders++;
		return 0;
	}
	c->headers[c->nheaders++] = optarg;
	return 0;
}

/* Does command i take every command option given? Says which one not. */
static int takes_options(const struct cli *c, size_t i)
{
	for (const char *g = c->given; *g; g++) {
		if (strchr(cmds[i].opts, *g))
			continue;
		fprintf(stderr, "graylane: %s is not an option of %s\n", opt_names[(int)*g],
			cmds[i].name);
		return 0;
	}
	return 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: graylane [--pin-root PATH] [--json] [--node NAME] COMMAND [ARGS]\n");
	fprintf(f, "  (--node: the node whose plan rules compile to, as graylaned's --node-name;\n"
		"   default $NODE_NAME, else the host name)\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s\n", cmds[i].help);
}

/* The global options and every command's (request_opt's letters). */
static const struct option lo[] = {
	{ "pin-root", required_argument, 0, 'p' },
	{ "json", no_argument, 0, 'j' },
	{ "out", required_argument, 0, 'o' },
	{ "log-dir", required_argument, 0, 'l' },
	{ "node", required_argument, 0, 'n' },
	{ "help", no_argument, 0, 'h' },
	{ "rules", required_argument, 0, 'R' },
	{ "from", required_argument, 0, 'F' },
	{ "to", required_argument, 0, 'T' },
	{ "header", required_argument, 0, 'H' },
	{ "method", required_argument, 0, 'M' },
	{ "path", required_argument, 0, 'P' },
	{ "cookie", required_argument, 0, 'C' },
	{ "workload", required_argument, 0, 'W' },
	{ "lane", required_argument, 0, 'L' },
	{ "count", required_argument, 0, 'N' },
	{ "rate", required_argument, 0, 'Q' },
	{ "interval", required_argument, 0, 'I' },
	{ "once", no_argument, 0, 'O' },
	{ 0 }
};

int main(int argc, char **argv)
{
	struct cli c = { .pin_root = GL_PIN_ROOT_DEFAULT };
	int o;

	libbpf_set_print(NULL);
	/* options may come before or after the command (GNU getopt permutes) */
	while ((o = getopt_long(argc, argv, "hjH:", lo, NULL)) != -1) {
		if (request_opt(&c, o))
			return 2;
		switch (o) {
		case 'p': c.pin_root = optarg; break;
		case 'j': c.json = 1; break;
		case 'o': c.out = optarg; break;
		case 'l': c.log_dir = optarg; break;
		case 'n': c.node = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			if (o > 0 && o <= 'Z' && opt_names[o])
				break;	/* request_opt took it */
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		if (!takes_options(&c, i))
			return 2;
		if (cmds[i].reads && !same_layout(c.pin_root))
			return 2;
		c.argc = argc - optind - 1;
		c.argv = argv + optind + 1;
		return cmds[i].fn(&c);
	}
	fprintf(stderr, "graylane: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
