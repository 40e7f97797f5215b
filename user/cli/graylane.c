// SPDX-License-Identifier: Apache-2.0
/*
 * graylane: the operator's CLI, its options and its command table. validate
 * and compile need no root; status, dump and uninstall read the pin root.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "sync/pins.h"

static const struct {
	const char *name;
	int (*fn)(struct cli *c);
	const char *help;
} cmds[] = {
	{ "validate", cmd_validate, "validate DIR          check a rules directory" },
	{ "compile", cmd_compile, "compile DIR [--json]  print the map entries the rules compile to" },
	{ "status", cmd_status, "status [--json]       attached programs, generation, plan in force" },
	{ "dump", cmd_dump, "dump [MAP] [--json]   decoded map contents and counters" },
	{ "uninstall", cmd_uninstall, "uninstall             detach and remove everything pinned" },
	{ "explain", cmd_explain,
	  "explain --rules DIR --from WORKLOAD --to ADDR[:PORT] [-H 'NAME: VALUE' ...]\n"
	  "        [--method M] [--path P] [--cookie C] [--json]\n"
	  "                        the lane, rule, endpoints and header of one request" },
	{ "metrics", cmd_metrics, "metrics               the Prometheus text graylaned serves on --metrics" },
	{ "probe", cmd_probe, "probe [--json]        the kernel features graylane uses, present or not" },
	{ "verifier-report", cmd_verifier_report,
	  "verifier-report [--out FILE] [--log-dir DIR] [OBJ.o ...]\n"
	  "                        each program through this kernel's verifier, alone" },
};

/* explain's request options (cli.h); 0, or -1 after a usage error */
static int request_opt(struct cli *c, int o)
{
	static const char *const names[] = { ['R'] = "--rules", ['F'] = "--from", ['T'] = "--to",
		['H'] = "-H", ['M'] = "--method", ['P'] = "--path", ['C'] = "--cookie" };
	const char **field = o == 'R' ? &c->rules : o == 'F' ? &c->from : o == 'T' ? &c->to :
			     o == 'M' ? &c->method : o == 'P' ? &c->path : NULL;

	if (o <= 0 || o > 'Z' || !names[o])
		return 0;
	if (!c->request_opt)
		c->request_opt = names[o];
	if (field) {
		*field = optarg;
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

static void usage(FILE *f)
{
	fprintf(f, "usage: graylane [--pin-root PATH] [--json] COMMAND [ARGS]\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %s\n", cmds[i].help);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "pin-root", required_argument, 0, 'p' },
		{ "json", no_argument, 0, 'j' },
		{ "out", required_argument, 0, 'o' },
		{ "log-dir", required_argument, 0, 'l' },
		{ "help", no_argument, 0, 'h' },
		{ "rules", required_argument, 0, 'R' },
		{ "from", required_argument, 0, 'F' },
		{ "to", required_argument, 0, 'T' },
		{ "header", required_argument, 0, 'H' },
		{ "method", required_argument, 0, 'M' },
		{ "path", required_argument, 0, 'P' },
		{ "cookie", required_argument, 0, 'C' },
		{ 0 }
	};
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
		case 'h': usage(stdout); return 0;
		case 'R': case 'F': case 'T': case 'H': case 'M': case 'P': case 'C': break;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[optind], cmds[i].name))
			continue;
		if (c.request_opt && cmds[i].fn != cmd_explain) {
			fprintf(stderr, "graylane: %s is an option of explain, not of %s\n",
				c.request_opt, cmds[i].name);
			return 2;
		}
		c.argc = argc - optind - 1;
		c.argv = argv + optind + 1;
		return cmds[i].fn(&c);
	}
	fprintf(stderr, "graylane: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
