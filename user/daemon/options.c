// SPDX-License-Identifier: Apache-2.0
/* graylaned's command line: flags, durations, header names checked; a bad
 * one is a usage error naming it. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "metrics_http.h"
#include "sync/pins.h"
#include "common/node.h"

static const char usage[] =
	"usage: graylaned --rules DIR --cgroup PATH [options]\n"
	"       graylaned --kubeconfig PATH|in-cluster [--rules DIR] --cgroup PATH [options]\n"
	"       graylaned --kubeconfig PATH|in-cluster [--rules DIR] --print-inventory\n"
	"  --rules DIR            directory of OpenSergo and inventory YAML, watched for changes\n"
	"  --cgroup PATH          absolute path of the cgroup v2 directory to manage\n"
	"  --pin-root PATH        where programs, maps and links are pinned (default "
	GL_PIN_ROOT_DEFAULT ")\n"
	"  --label-header NAME    propagation header written into lane requests (default "
	GL_LABEL_HEADER_DEFAULT ")\n"
	"  --accept-header NAME   another propagation header accepted on input (default "
	GL_ACCEPT_HEADER_DEFAULT ")\n"
	"  --context-ttl DURATION lifetime of a thread's context label (default 5s)\n"
	"  --trust-incoming       entry workloads keep a propagation header from outside\n"
	"  --poll-interval DURATION  how often the rules directory is checked (default 100ms)\n"
	"  --log-level LEVEL      debug, info (default), warn or error\n"
	"  --log-format FORMAT    text (logfmt, default) or json: one line per event\n"
	"  --metrics ADDR         Prometheus text at http://ADDR/metrics (default "
	GL_METRICS_DEFAULT "; \"\" for none)\n"
	"  --kubeconfig PATH      the inventory and rules from the Kubernetes API too; \"in-cluster\"\n"
	"                         for the pod's service account\n"
	"  --node-name NAME       this node (default $NODE_NAME, else the host name)\n"
	"  --k8s-node-pods-only   watch this node's pods only (less memory and API load): remote\n"
	"                         endpoints are then base (default: every pod, so they get their lanes)\n"
	"  --k8s-cgroup-root PATH the kubelet's cgroup tree (kubepods.slice, ...) below PATH\n"
	"                         of the cgroup2 mount (default /)\n"
	"  --k8s-backoff DURATION first retry after an API error (default 250ms; doubles)\n"
	"  --k8s-backoff-max DURATION  the retries' cap (default 30s)\n"
	"  --k8s-watch-timeout DURATION  a watch's timeoutSeconds (default 5m)\n"
	"  --k8s-request-timeout DURATION  a LIST's time limit, and how long a watch may send\n"
	"                         nothing before it is dropped and opened again (default 1m)\n"
	"  --print-inventory      no BPF: print each model the API's objects make, as JSON lines\n"
	"  --cgroup2-mount PATH   with --print-inventory: look for the pods' cgroups below PATH\n"
	"  --twin-keeper          run as the twin keeper of --pin-root (graylaned starts it)\n";

int gl_parse_duration_ms(const char *s, uint64_t *ms)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		*ms = v;
	else if (!strcmp(end, "s") || !*end)
		*ms = v * 1000;
	else if (!strcmp(end, "m"))
		*ms = v * 60000;
	else
		return -EINVAL;
	return 0;
}

static int header_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* The Kubernetes inventory's options (parse_one's other half). */
static int parse_k8s(int c, struct gl_options *o, FILE *err)
{
	uint64_t ms;

	switch (c) {
	case 'K': o->kubeconfig = optarg; break;
	case 'N': o->node_name = optarg; break;
	case 'A': o->k8s_all_pods = true; break;	/* the default; kept for old command lines */
	case 'O': o->k8s_all_pods = false; break;
	case 'I': o->print_inventory = true; break;
	case 'G': o->cgroup2_mount = optarg; break;
	case 'R':
		if (optarg[0] != '/') {
			fprintf(err, "graylaned: --k8s-cgroup-root must start with '/', got '%s'\n",
				optarg);
			return -EINVAL;
		}
		o->k8s_cgroup_root = optarg;
		break;
	case 'b':
	case 'B':
	case 'W':
	case 'Q':
		if (gl_parse_duration_ms(optarg, &ms) || ms == 0 || ms > 3600000) {
			fprintf(err, "graylaned: '%s' is not a duration between 1ms and 1h\n", optarg);
			return -EINVAL;
		}
		*(c == 'b' ? &o->k8s_backoff_ms : c == 'B' ? &o->k8s_backoff_max_ms :
		  c == 'W' ? &o->k8s_watch_timeout_ms : &o->k8s_request_timeout_ms) = ms;
		break;
	default:
		fputs(usage, err);
		return -EINVAL;
	}
	return 0;
}

/* One option of the loop in gl_options_parse: 0, 1 (--help) or -EINVAL. */
static int parse_one(int c, struct gl_options *o, FILE *err)
{
	uint64_t ms;

	switch (c) {
	case 'r': o->rules = optarg; break;
	case 'c': o->cgroup = optarg; break;
	case 'p': o->pin_root = optarg; break;
	case 'T': o->trust_incoming = true; break;
	case 'X': o->twin_keeper = true; break;
	case 'l':
	case 'a':
		if (!header_name_ok(optarg)) {
			fprintf(err, "graylaned: --%s: '%s' is not a header name\n",
				c == 'l' ? "label-header" : "accept-header", optarg);
			return -EINVAL;
		}
		*(c == 'l' ? &o->label_header : &o->accept_header) = optarg;
		break;
	case 't':
	case 'P':
		if (gl_parse_duration_ms(optarg, &ms) || ms == 0 || ms > 3600000) {
			fprintf(err, "graylaned: --%s: '%s' is not a duration between 1ms and 1h "
				"(e.g. 5s, 250ms)\n", c == 't' ? "context-ttl" : "poll-interval",
				optarg);
			return -EINVAL;
		}
		if (c == 't')
			o->context_ttl_ms = ms;
		else
			o->poll_ms = ms;
		break;
	case 'L':
		if (gl_log_level_parse(optarg, &o->log_level)) {
			fprintf(err, "graylaned: --log-level: '%s' is not debug, info, warn or error\n",
				optarg);
			return -EINVAL;
		}
		break;
	case 'F':
		if (gl_log_format_parse(optarg, &o->log_json)) {
			fprintf(err, "graylaned: --log-format: '%s' is not text or json\n", optarg);
			return -EINVAL;
		}
		break;
	case 'M':
		if (optarg[0] && (!strrchr(optarg, ':') || !strrchr(optarg, ':')[1] ||
				  strspn(strrchr(optarg, ':') + 1, "0123456789") !=
				  strlen(strrchr(optarg, ':') + 1))) {
			fprintf(err, "graylaned: --metrics: '%s' is not HOST:PORT (e.g. "
				GL_METRICS_DEFAULT ", [::1]:9479; \"\" for none)\n", optarg);
			return -EINVAL;
		}
		o->metrics = optarg;
		break;
	case 'h':
		fputs(usage, stdout);
		return 1;
	default:
		return parse_k8s(c, o, err);
	}
	return 0;
}

/* --rules (or --kubeconfig) and --cgroup (unless only printing). */
static int check_required(const struct gl_options *o, FILE *err)
{
	if (o->twin_keeper)
		return 0;	/* the pin root alone */
	if (!o->kubeconfig && (!o->rules || !o->cgroup)) {
		fprintf(err, "graylaned: --rules and --cgroup are required (or --kubeconfig)\n%s",
			usage);
		return -EINVAL;
	}
	if (!o->cgroup && !o->print_inventory) {
		fprintf(err, "graylaned: --cgroup is required (or --print-inventory)\n%s", usage);
		return -EINVAL;
	}
	if (o->print_inventory && !o->kubeconfig) {
		fprintf(err, "graylaned: --print-inventory needs --kubeconfig\n");
		return -EINVAL;
	}
	if (o->cgroup && o->cgroup[0] != '/') {
		fprintf(err, "graylaned: --cgroup must be an absolute path, got '%s'\n", o->cgroup);
		return -EINVAL;
	}
	return 0;
}

int gl_options_parse(int argc, char **argv, struct gl_options *o, FILE *err)
{
	static const struct option lo[] = {
		{ "rules", required_argument, 0, 'r' },
		{ "cgroup", required_argument, 0, 'c' },
		{ "pin-root", required_argument, 0, 'p' },
		{ "label-header", required_argument, 0, 'l' },
		{ "accept-header", required_argument, 0, 'a' },
		{ "context-ttl", required_argument, 0, 't' },
		{ "trust-incoming", no_argument, 0, 'T' },
		{ "poll-interval", required_argument, 0, 'P' },
		{ "log-level", required_argument, 0, 'L' },
		{ "log-format", required_argument, 0, 'F' },
		{ "metrics", required_argument, 0, 'M' },
		{ "kubeconfig", required_argument, 0, 'K' },
		{ "node-name", required_argument, 0, 'N' },
		{ "k8s-all-pods", no_argument, 0, 'A' },
		{ "k8s-node-pods-only", no_argument, 0, 'O' },
		{ "k8s-backoff", required_argument, 0, 'b' },
		{ "k8s-backoff-max", required_argument, 0, 'B' },
		{ "k8s-watch-timeout", required_argument, 0, 'W' },
		{ "k8s-request-timeout", required_argument, 0, 'Q' },
		{ "print-inventory", no_argument, 0, 'I' },
		{ "cgroup2-mount", required_argument, 0, 'G' },
		{ "k8s-cgroup-root", required_argument, 0, 'R' },
		{ "twin-keeper", no_argument, 0, 'X' },
		{ "help", no_argument, 0, 'h' },
		{ 0 }
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->pin_root = GL_PIN_ROOT_DEFAULT;
	o->label_header = GL_LABEL_HEADER_DEFAULT;
	o->accept_header = GL_ACCEPT_HEADER_DEFAULT;
	o->context_ttl_ms = GL_CONTEXT_TTL_DEFAULT_MS;
	o->poll_ms = GL_POLL_DEFAULT_MS;
	o->log_level = GL_LOG_INFO;
	o->metrics = GL_METRICS_DEFAULT;
	o->k8s_all_pods = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1)
		if ((rc = parse_one(c, o, err)))
			return rc;
	if (optind < argc) {
		fprintf(err, "graylaned: unexpected argument '%s'\n%s", argv[optind], usage);
		return -EINVAL;
	}
	o->node_name = gl_node_name(o->node_name, o->node_buf, sizeof(o->node_buf));
	return check_required(o, err);
}
