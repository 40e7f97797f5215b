/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Connect-time lane routing (DESIGN.md, Decisions 2).
 *
 * cgroup/connect4/6: a TCP connect from a workload of the inventory to a
 * service address (virtual, or any endpoint's address and target port) is
 * rewritten to an endpoint of the caller's lane, falling back to base; base
 * callers never reach a lane's endpoints. cgroup/getpeername4/6 give the
 * application back the address it dialed.
 */
#ifndef GL_CONNECT_BPF_H
#define GL_CONNECT_BPF_H

#include "lib/maps.bpf.h"
#include "lib/caller.bpf.h"
#include "lib/context.bpf.h"
#include "lib/decision.bpf.h"
#include "lib/twin.bpf.h"

#define SOCK_STREAM_ 1
#define ALLOW 1
#define REFUSE 0	/* connect() fails with EPERM */

static __always_inline void gl_read_dialed(struct bpf_sock_addr *ctx, __u8 family, __u8 addr[16])
{
	__u32 *a = (__u32 *)addr;

	if (family == GL_FAMILY_INET) {
		a[0] = ctx->user_ip4;
		return;
	}
	a[0] = ctx->user_ip6[0];
	a[1] = ctx->user_ip6[1];
	a[2] = ctx->user_ip6[2];
	a[3] = ctx->user_ip6[3];
}

static __always_inline void gl_write_addr(struct bpf_sock_addr *ctx, __u8 family,
					  const __u8 addr[16], __u16 port)
{
	const __u32 *a = (const __u32 *)addr;

	if (family == GL_FAMILY_INET) {
		ctx->user_ip4 = a[0];
	} else {
		ctx->user_ip6[0] = a[0];
		ctx->user_ip6[1] = a[1];
		ctx->user_ip6[2] = a[2];
		ctx->user_ip6[3] = a[3];
	}
	ctx->user_port = bpf_htons(port);
}

/* The lane's endpoints, or base's when the lane has none (fallback). */
static __always_inline struct gl_backend *gl_pick_backend(__u8 slot, __u8 family, __u32 svc,
							   __u16 lane, bool *fallback)
{
	struct gl_backend_key k = { .slot = slot, .family = family, .lane = lane, .service_id = svc };
	struct gl_backend *b;

	*fallback = false;
	b = bpf_map_lookup_elem(&gl_backends, &k);
	if (b || lane == GL_LANE_BASE)
		return b;
	k.lane = GL_LANE_BASE;
	*fallback = true;
	return bpf_map_lookup_elem(&gl_backends, &k);
}

static __always_inline void gl_remember(struct bpf_sock_addr *ctx, __u8 family,
					const __u8 dialed[16], __u16 port,
					const struct gl_service_addr *svc, const struct gl_caller *c,
					__u16 lane, __u16 ep_lane, __u8 ctx_source)
{
	struct gl_sock *s;

	s = bpf_sk_storage_get(&gl_sock, ctx->sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!s) {
		gl_count(GL_STAT_SK_STORAGE_FAIL);
		return;
	}
	__builtin_memcpy(s->dialed_addr, dialed, 16);
	s->dialed_port = port;
	s->family = family;
	s->steered = 1;
	s->service_id = svc->service_id;
	s->svc_protocol = svc->protocol;
	s->workload_id = c->workload_id;
	s->lane = lane;
	s->ctx_source = ctx_source;
	s->proto = GL_SOCK_UNKNOWN;
	s->requests = 0;
	s->ep_lane = ep_lane;
	s->route_lane = ep_lane;
	s->sql_state = GL_SQL_HANDSHAKE;
	s->tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
	s->twin = 0;
	s->twinned = 0;
	s->peer = 0;
	s->twins_asked = 0;
}

/* A twin the daemon's helper connects (lib/twin.bpf.h): its lane is the one
 * asked for, and sockops registers it for its original. */
static __always_inline struct gl_twin_want *gl_twin_pending_of(void)
{
	__u32 tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);

	return bpf_map_lookup_elem(&gl_twin_pending, &tgid);
}

static __always_inline void gl_twin_mark(struct bpf_sock_addr *ctx, const struct gl_twin_want *tw)
{
	struct gl_sock *s = bpf_sk_storage_get(&gl_sock, ctx->sk, 0, 0);

	if (!s)
		return;
	s->twin = 1;
	s->peer = tw->cookie;
	s->tgid = tw->tgid;
}

/* A decision event for `graylane events`, when someone watches this caller. */
static __always_inline void gl_connect_event(const struct gl_service_key *sk,
					     const struct gl_service_addr *svc,
					     const struct gl_caller *c, __u16 lane, __u8 ctx_source,
					     const struct gl_backend *b, __u32 idx, bool fallback)
{
	struct gl_decision d = {
		.workload_id = c->workload_id,
		.service_id = svc->service_id,
		.lane = lane,
		.ep_lane = fallback ? GL_LANE_BASE : lane,
		.ctx_source = ctx_source,
		.family = sk->family,
		.dialed_port = sk->port,
	};

	if (!gl_watched(c->workload_id, lane))
		return;
	d.ts_ns = bpf_ktime_get_ns();
	__builtin_memcpy(d.dialed, sk->addr, 16);
	if (!b) {
		d.decision = GL_DECISION_REFUSED;
	} else {
		d.decision = fallback ? GL_DECISION_FALLBACK :
			     lane == GL_LANE_BASE ? GL_DECISION_BASE : GL_DECISION_LANE;
		d.port = svc->target_port;
		GL_BOUND(idx, GL_LANE_ENDPOINTS_MAX - 1);
		__builtin_memcpy(d.addr, b->ep[idx].addr, 16);
	}
	gl_decision_send(&d);
}

/* The connect of caller c to service svc (dialed as sk), in lane: to an
 * endpoint of that lane, or of base on fallback, or refused; counted. */
static __always_inline int gl_connect_steer(struct bpf_sock_addr *ctx, __u8 family,
					    const struct gl_service_key *sk,
					    const struct gl_service_addr *svc,
					    const struct gl_caller *c, __u16 lane, __u8 ctx_source)
{
	struct gl_lane_stats *ls;
	struct gl_backend *b;
	bool fallback;
	__u64 idx;
	__u32 n;

	ls = gl_lane_counters(lane);
	b = gl_pick_backend(sk->slot, family, svc->service_id, lane, &fallback);
	if (!b) {
		gl_count(lane == GL_LANE_BASE ? GL_STAT_CONNECT_REFUSED_NO_BASE
					      : GL_STAT_CONNECT_NO_ENDPOINT);
		if (ls)
			ls->refused++;
		gl_service_count(svc->service_id, lane, GL_SVC_REFUSED);
		gl_connect_event(sk, svc, c, lane, ctx_source, NULL, 0, fallback);
		return REFUSE;
	}
	n = b->count;
	if (n == 0 || n > GL_LANE_ENDPOINTS_MAX) {
		gl_count(GL_STAT_CONNECT_BAD_BACKEND);
		if (ls)
			ls->refused++;
		gl_service_count(svc->service_id, lane, GL_SVC_REFUSED);
		gl_connect_event(sk, svc, c, lane, ctx_source, NULL, 0, fallback);
		return REFUSE;
	}
	idx = bpf_get_prandom_u32() % n;
	gl_connect_event(sk, svc, c, lane, ctx_source, b, (__u32)idx, fallback);

	/* The connection's lane is the caller's lane even on fallback: its
	 * requests keep their label, so the next hop returns to the lane. */
	gl_remember(ctx, family, sk->addr, sk->port, svc, c, lane,
		    fallback ? GL_LANE_BASE : lane, ctx_source);
	GL_BOUND(idx, GL_LANE_ENDPOINTS_MAX - 1);
	gl_write_addr(ctx, family, b->ep[idx].addr, svc->target_port);

	/* by (service, caller's lane): a fallback is counted in the lane's row */
	gl_service_count(svc->service_id, lane, fallback ? GL_SVC_FALLBACKS : GL_SVC_CONNECTS);
	if (fallback) {
		gl_count(GL_STAT_CONNECT_FALLBACK);
		if (ls)
			ls->fallbacks++;
	} else {
		gl_count(lane == GL_LANE_BASE ? GL_STAT_CONNECT_BASE : GL_STAT_CONNECT_LANE);
		if (ls)
			ls->connects++;
	}
	return ALLOW;
}

static __always_inline int gl_connect(struct bpf_sock_addr *ctx, __u8 family)
{
	struct gl_service_key sk = { .family = family };
	struct gl_service_addr *svc;
	struct gl_twin_want *tw;
	struct gl_config *cfg;
	struct gl_caller c;
	__u32 zero = 0;
	struct gl_ctx *x;
	int rc;
	__u8 ctx_source = 0;
	__u16 lane;

	if (ctx->type != SOCK_STREAM_)
		return ALLOW;
	cfg = bpf_map_lookup_elem(&gl_config, &zero);
	if (!cfg) {
		gl_count(GL_STAT_CONFIG_MISSING);
		return ALLOW;
	}
	sk.slot = cfg->active_slot & 1;
	if (gl_find_caller(sk.slot, &c)) {
		gl_count(GL_STAT_CONNECT_UNMANAGED);
		return ALLOW;
	}
	gl_count(GL_STAT_CONNECT_SEEN);

	sk.port = bpf_ntohs(ctx->user_port);
	gl_read_dialed(ctx, family, sk.addr);
	svc = bpf_map_lookup_elem(&gl_services, &sk);
	if (!svc) {
		gl_count(GL_STAT_CONNECT_NOT_SERVICE);
		return ALLOW;
	}

	tw = gl_twin_pending_of();
	if (tw) {
		rc = gl_connect_steer(ctx, family, &sk, svc, &c, tw->lane, 0);
		if (rc == ALLOW)
			gl_twin_mark(ctx, tw);
		return rc;
	}
	/* the thread's context label if fresh, else its workload lane */
	lane = c.lane;
	x = gl_ctx_fresh(c.workload_id);
	if (x) {
		lane = x->lane;
		ctx_source = x->source + 1;
		gl_count(GL_STAT_CONNECT_CONTEXT);
	}
	return gl_connect_steer(ctx, family, &sk, svc, &c, lane, ctx_source);
}

static __always_inline int gl_getpeername(struct bpf_sock_addr *ctx, __u8 family)
{
	struct gl_sock *s;

	s = bpf_sk_storage_get(&gl_sock, ctx->sk, 0, 0);
	if (!s || !s->steered || s->family != family)
		return ALLOW;
	gl_write_addr(ctx, family, s->dialed_addr, s->dialed_port);
	gl_count(GL_STAT_GETPEERNAME_RESTORED);
	return ALLOW;
}

#endif
