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
	{ "probe", cmd_probe, "probe [--json]        the kernel features graylane uses, present or not" },
	{ "verifier-report", cmd_verifier_report,
	  "verifier-report [--out FILE] [--log-dir DIR] [OBJ.o ...]\n"
	  "                        each program through this kernel's verifier, alone" },
};

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
		{ 0 }
	};
	struct cli c = { .pin_root = GL_PIN_ROOT_DEFAULT };
	int o;

	libbpf_set_print(NULL);
	/* options may come before or after the command (GNU getopt permutes) */
	while ((o = getopt_long(argc, argv, "hj", lo, NULL)) != -1) {
		switch (o) {
		case 'p': c.pin_root = optarg; break;
		case 'j': c.json = 1; break;
		case 'o': c.out = optarg; break;
		case 'l': c.log_dir = optarg; break;
		case 'h': usage(stdout); return 0;
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
		c.argc = argc - optind - 1;
		c.argv = argv + optind + 1;
		return cmds[i].fn(&c);
	}
	fprintf(stderr, "graylane: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}
