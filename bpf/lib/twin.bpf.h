/* SPDX-License-Identifier: GPL-2.0 OR Apache-2.0 */
/*
 * Twins (DESIGN.md, Decisions 4): per-request steering on kept-alive
 * connections. A request whose endpoint lane (its lane where the service has
 * endpoints of it, else base) differs from its connection's leaves through a
 * twin: a connection of that endpoint lane, dedicated to the original socket,
 * opened by the daemon inside the caller's network namespace and cgroup. The
 * twin's replies are redirected into the original socket (lib/reply.bpf.h),
 * so the application reads them where it reads every other reply.
 *
 * Order. A connection's replies must come back in the order of its requests,
 * so a request may leave by another route only when the route the last one
 * took has no response outstanding: gl_rx counts requests sent (here) and
 * final responses received (the reply verdict) per socket. While one is
 * outstanding (pipelining) the request is held: parked like one waiting for
 * a new twin, and written by the daemon into its route once the busy one is
 * idle (user/daemon/twin.c); its own lane's route too, through the daemon's
 * release socket (gl_twin_release). A request that cannot be parked (not
 * whole in the message, over GL_PARK_MAX) stays on the busy route, counted
 * (twin_busy, lane_mismatch). The same when there is no twin yet: the daemon
 * is asked for one (twin_wanted) and the request stays (twin_missing).
 *
 * A failed redirect never returns its SK_DROP (KERNEL-NOTES: that breaks
 * the socket for good): the request goes out on the connection itself,
 * counted. Inside a request body there is no such way out (the body would be
 * split between two servers): the connection fails closed.
 *
 * A redirected send is queued on the twin with the caller's flags: for a
 * non-blocking caller, bytes that find the twin's buffer full are dropped
 * from the send (the caller sends them again) after sk_msg counted them as
 * redirected (gl_sock.pos_twin), and the connection then fails closed
 * (msg_desync, lib/send.bpf.h). The daemon gives twins a send buffer larger
 * than any body a server that reads at all leaves queued (user/daemon/twin.c).
 */
#ifndef GL_TWIN_BPF_H
#define GL_TWIN_BPF_H

#include "lib/maps.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, GL_TWINS_MAX);
	__type(key, struct gl_twin_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_twins SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_TWINS_MAX);
	__type(key, struct gl_twin_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_twin_of SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct gl_twin_want);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_twin_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, GL_RX_MAX);
	__type(key, __u64);
	__type(value, struct gl_rx);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_rx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, GL_PARKED_MAX);
	__type(key, __u64);
	__type(value, struct gl_park);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_park SEC(".maps");

/* the daemon's sink for parked messages (their bytes are in gl_park) */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} gl_sink SEC(".maps");

/* where gl_park's value is put together (too large for the stack) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gl_park);
} gl_park_scratch SEC(".maps");

/* A socket's request/response count, made at established. */
static __always_inline void gl_rx_begin(__u64 cookie, __u64 peer, __u16 lane)
{
	struct gl_rx rx = { .peer = peer, .lane = lane };

	if (bpf_map_update_elem(&gl_rx, &cookie, &rx, BPF_ANY))
		gl_count(GL_STAT_RX_FULL);
}

/* Idle: every request sent on it has its final response. */
static __always_inline bool gl_rx_idle(const struct gl_rx *rx)
{
	return rx->state == GL_RX_OPEN && rx->sent == rx->done;
}

/* One more request on this socket (head: a HEAD request, bodiless reply). */
static __always_inline void gl_rx_sent(struct gl_rx *rx, bool head)
{
	__u64 bit = 1ULL << (rx->sent & 63);

	if (rx->sent - rx->done >= 64) {
		rx->state = GL_RX_UNTRACKED;	/* more outstanding than the bits hold */
		gl_count(GL_STAT_TWIN_UNTRACKED);
	}
	if (head)
		rx->head_bits |= bit;
	else
		rx->head_bits &= ~bit;
	rx->sent++;
}

/* The endpoint lane of a request in `lane` on this connection's service. */
static __always_inline __u16 gl_twin_route_lane(__u8 slot, const struct gl_sock *s, __u16 lane)
{
	struct gl_backend_key k = {
		.slot = slot, .family = s->family, .lane = lane, .service_id = s->service_id,
	};

	if (lane == GL_LANE_BASE || !bpf_map_lookup_elem(&gl_backends, &k))
		return GL_LANE_BASE;
	return lane;
}

/* The count of the socket a route of this original leads to, or NULL. */
static __always_inline struct gl_rx *gl_twin_rx(const struct gl_sock *s, __u16 route)
{
	struct gl_twin_key k = { .cookie = s->cookie, .lane = route };
	__u64 *twin;

	if (route == s->ep_lane)
		return bpf_map_lookup_elem(&gl_rx, &k.cookie);
	twin = bpf_map_lookup_elem(&gl_twin_of, &k);
	return twin ? bpf_map_lookup_elem(&gl_rx, twin) : NULL;
}

#define GL_TWIN_ASK_NS	1000000000ULL	/* a connection asks again for a lane's twin after 1 s */

/* Asks the daemon for a twin of endpoint lane `route` (once a second at most,
 * but always for a parked request, which the daemon then writes into it). */
static __always_inline void gl_twin_want(struct sk_msg_md *msg, struct gl_sock *s, __u16 route,
					 __u8 parked)
{
	struct gl_twin_event ev = {
		.type = GL_EV_TWIN_WANTED,
		.tgid = s->tgid,
		.cookie = s->cookie,
		.dialed_port = s->dialed_port,
		.lane = route,
		.family = s->family,
		.parked = parked,
		.service_id = s->service_id,
		.workload_id = s->workload_id,
	};
	__u64 bit = 1ULL << (route & 63), now = bpf_ktime_get_ns();

	if (!parked && (s->twins_asked & bit) && now - s->asked_ns < GL_TWIN_ASK_NS)
		return;
	s->twins_asked |= bit;
	s->asked_ns = now;
	s->twinned = 1;
	__builtin_memcpy(ev.dialed, s->dialed_addr, 16);
	if (s->family == GL_FAMILY_INET) {
		__builtin_memcpy(ev.local, &msg->local_ip4, 4);
	} else {
		__u32 *a = (__u32 *)ev.local;

		a[0] = msg->local_ip6[0];
		a[1] = msg->local_ip6[1];
		a[2] = msg->local_ip6[2];
		a[3] = msg->local_ip6[3];
	}
	gl_count(GL_STAT_TWIN_WANTED);
	if (bpf_ringbuf_output(&gl_events, &ev, sizeof(ev), 0))
		gl_count(GL_STAT_EVENT_LOST);
}

/* Sends the message's verdict bytes through the twin of `route`: SK_PASS
 * when the redirect is set, else SK_DROP (which the caller never returns). */
static __always_inline int gl_twin_redirect(struct sk_msg_md *msg, const struct gl_sock *s,
					    __u16 route)
{
	struct gl_twin_key k = { .cookie = s->cookie, .lane = route };

	return (int)bpf_msg_redirect_hash(msg, &gl_twins, &k, 0);
}

/*
 * A request of this connection is parked and not yet answered: what follows
 * must wait for it, which sk_msg cannot (pipelining behind a parked request
 * fails closed). Once the daemon has written it (len 0, its number on its
 * route's socket in its first bytes: abi.h) and that socket has answered it,
 * the entry is done with; the same when that socket is gone or its
 * responses cannot be counted.
 */
static __always_inline bool gl_twin_parked(struct gl_sock *s)
{
	struct gl_park *p = bpf_map_lookup_elem(&gl_park, &s->cookie);
	struct gl_rx *t;
	__u32 n;

	if (!p)
		return false;
	if (p->len)
		return true;	/* the daemon has not written it yet */
	__builtin_memcpy(&n, p->bytes, sizeof(n));
	t = gl_twin_rx(s, p->lane);
	if (t && t->state == GL_RX_OPEN && (__s32)(t->done - n) < 0)
		return true;
	bpf_map_delete_elem(&gl_park, &s->cookie);
	return false;
}

#define GL_ROUTE_HOLD	0xfffd	/* gl_twin_choose: park the request until the busy route is idle */
#define GL_ROUTE_PARK	0xfffe	/* ... until its twin is up */
#define GL_ROUTE_REFUSE	0xffff	/* ... behind a parked one: no order can be kept */

/* The route a request for endpoint lane `want` can take now (see the top),
 * with its socket's count in *rxp; park: the request could be parked (whole
 * in this message, small). */
static __always_inline __u16 gl_twin_choose(struct sk_msg_md *msg, struct gl_sock *s, __u16 want,
					    bool park, struct gl_rx **rxp)
{
	__u16 cur = s->route_lane;
	struct gl_rx *rx = gl_twin_rx(s, cur), *t;

	*rxp = rx;
	if (s->twinned && gl_twin_parked(s))
		return GL_ROUTE_REFUSE;

	if (cur != s->ep_lane && (!rx || rx->state == GL_RX_CLOSED)) {
		cur = s->ep_lane;	/* the twin is gone: what it owed is lost with it */
		s->route_lane = cur;
		rx = gl_twin_rx(s, cur);
		*rxp = rx;
	}
	if (want == cur)
		return cur;
	if (rx && rx->state == GL_RX_OPEN && !gl_rx_idle(rx) && park)
		return GL_ROUTE_HOLD;	/* a reply outstanding there: after it */
	if (!rx || !gl_rx_idle(rx)) {
		/* ... and no holding this one, or uncountable: order first */
		gl_count(rx && rx->state == GL_RX_OPEN ? GL_STAT_TWIN_BUSY : GL_STAT_TWIN_UNTRACKED);
		return cur;
	}
	t = gl_twin_rx(s, want);
	if (want == s->ep_lane) {
		*rxp = t;
		return want;
	}
	if (t && gl_rx_idle(t)) {
		s->twins_asked &= ~(1ULL << (want & 63));
		*rxp = t;
		return want;
	}
	if (!t || t->state == GL_RX_CLOSED) {
		if (park)
			return GL_ROUTE_PARK;
		gl_twin_want(msg, s, want, 0);
		gl_count(GL_STAT_TWIN_MISSING);
	} else {
		gl_count(GL_STAT_TWIN_BUSY);
	}
	return cur;
}

/*
 * Parks the first `len` bytes of the message (a whole request for endpoint
 * lane `want`): copied into gl_park, the message itself redirected into the
 * daemon's sink, the daemon told (a twin_wanted event, parked), which then
 * writes them into the route of `want` once every route is idle, opening
 * its twin first if there is none. 0, or -1 (nothing parked).
 */
static __always_inline int gl_twin_park(struct sk_msg_md *msg, struct gl_sock *s, __u16 want,
					bool head, __u32 len)
{
	__u32 zero = 0, n = len - 1;
	struct gl_park *p = bpf_map_lookup_elem(&gl_park_scratch, &zero);
	void *data, *end;

	if (!p || len == 0 || len > GL_PARK_MAX)
		return -1;
	GL_BOUND(n, GL_PARK_MAX - 1);
	n += 1;
	if (bpf_msg_pull_data(msg, 0, n, 0))
		return -1;
	data = msg->data;
	end = msg->data_end;
	if (data + n > end || bpf_probe_read_kernel(p->bytes, n, data))
		return -1;
	p->len = n;
	p->lane = want;
	p->head = head;
	if (bpf_map_update_elem(&gl_park, &s->cookie, p, BPF_NOEXIST))
		return -1;
	if (bpf_msg_redirect_hash(msg, &gl_sink, &zero, BPF_F_INGRESS) != SK_PASS) {
		bpf_map_delete_elem(&gl_park, &s->cookie);
		return -1;	/* no sink: no daemon */
	}
	gl_twin_want(msg, s, want, 1);
	gl_count(GL_STAT_TWIN_PARKED);
	return 0;
}

/*
 * The verdict of the request just labelled, for endpoint lane `want` (head:
 * a HEAD request, bodiless reply; park: its length when it is whole in this
 * message and may be parked, else 0):
 * SK_PASS, on the connection itself or redirected into a twin. The endpoint
 * lane it really goes to in *went.
 */
static __always_inline int gl_twin_send(struct sk_msg_md *msg, struct gl_sock *s, __u16 want,
					bool head, __u32 park, __u16 *went, bool *parked)
{
	struct gl_rx *rx;
	__u16 cur = gl_twin_choose(msg, s, want, park != 0, &rx);

	*parked = false;
	if (cur == GL_ROUTE_REFUSE)
		return -1;
	if (cur == GL_ROUTE_PARK || cur == GL_ROUTE_HOLD) {
		if (!gl_twin_park(msg, s, want, head, park)) {
			s->twinned = 1;
			s->route_lane = want;
			*went = want;
			*parked = true;
			return SK_PASS;
		}
		if (cur == GL_ROUTE_HOLD) {
			/* no sink (no daemon): kept in order on the busy route */
			gl_count(GL_STAT_TWIN_BUSY);
			cur = s->route_lane;
		} else {
			/* every route is idle here: on the connection itself */
			gl_twin_want(msg, s, want, 0);
			gl_count(GL_STAT_TWIN_MISSING);
			cur = s->ep_lane;
			rx = gl_twin_rx(s, cur);
		}
	}
	if (cur != s->ep_lane) {
		if (rx && gl_twin_redirect(msg, s, cur) == SK_PASS) {
			s->twinned = 1;
			gl_count(GL_STAT_TWIN_SEND);
		} else {
			/* never the failed redirect's SK_DROP: on the connection
			 * itself, whose route is idle (the twin's was chosen) */
			gl_count(GL_STAT_TWIN_REDIRECT_FAIL);
			cur = s->ep_lane;
			rx = gl_twin_rx(s, cur);
		}
	}
	s->route_lane = cur;
	*went = cur;
	if (rx)
		gl_rx_sent(rx, head);
	return SK_PASS;
}

/*
 * sk_msg of the daemon's release socket (GL_SOCK_RELEASE): a held request of
 * the connection's own lane, written by the daemon once its turn came, goes
 * out on that connection (socket `peer`, in gl_sockhash), as if its
 * application had sent it then; pos_twin counts the bytes that did, for the
 * daemon to check. A failed redirect passes to the daemon's end of the
 * release socket, which drops them; the daemon then shuts the connection.
 */
static __always_inline int gl_twin_release(struct sk_msg_md *msg, struct gl_sock *s)
{
	if (bpf_msg_redirect_hash(msg, &gl_sockhash, &s->peer, 0) != SK_PASS) {
		gl_count(GL_STAT_TWIN_REDIRECT_FAIL);
		return SK_PASS;
	}
	s->pos_twin += msg->size;
	gl_count(GL_STAT_TWIN_RELEASE);
	return SK_PASS;
}

/* Body bytes of a request that went through a twin follow it there (n of
 * them, counted as redirected: gl_sock.pos_twin): the verdict, or -1 when
 * the twin is gone (the caller fails closed). */
static __always_inline int gl_twin_body(struct sk_msg_md *msg, struct gl_sock *s, __u64 n)
{
	if (s->route_lane == s->ep_lane)
		return SK_PASS;
	if (gl_twin_redirect(msg, s, s->route_lane) != SK_PASS)
		return -1;
	s->pos_twin += n;
	return SK_PASS;
}

#define GL_SOL_TCP		6
#define GL_TCP_BPF_DELACK_MAX	1003	/* uapi bpf.h: the delayed-ACK timeout's bound, us */

/* sockops, ESTABLISHED of a twin: joins gl_twins under its original's key.
 * No application reads a twin (the reply verdict takes its bytes), so
 * nothing makes it ACK before its delayed-ACK timer: a server that leaves
 * Nagle on and writes a reply in two pieces waited 40 ms for that ACK
 * before sending the second (test_twins T9). The timer is bounded to the
 * kernel's least on twins. */
static __always_inline void gl_twin_established(struct bpf_sock_ops *skops, struct gl_sock *s)
{
	struct gl_twin_key k = { .cookie = s->peer, .lane = s->ep_lane };
	int us = 2000;

	/* the kernel takes 2 jiffies at least: 2 ms at HZ=1000, 8 at 250, 20 at 100 */
	if (bpf_setsockopt(skops, GL_SOL_TCP, GL_TCP_BPF_DELACK_MAX, &us, sizeof(us))) {
		us = 8000;
		if (bpf_setsockopt(skops, GL_SOL_TCP, GL_TCP_BPF_DELACK_MAX, &us, sizeof(us))) {
			us = 20000;
			bpf_setsockopt(skops, GL_SOL_TCP, GL_TCP_BPF_DELACK_MAX, &us, sizeof(us));
		}
	}
	s->cookie = bpf_get_socket_cookie(skops);
	if (s->ep_lane != s->lane ||
	    bpf_sock_hash_update(skops, &gl_twins, &k, BPF_NOEXIST)) {
		/* its lane lost its endpoints meanwhile, or a twin is there:
		 * unused, the daemon closes it (no gl_twin_of entry) */
		gl_count(GL_STAT_TWIN_ADD_FAIL);
		return;
	}
	gl_rx_begin(s->cookie, s->peer, s->ep_lane);
	if (bpf_map_update_elem(&gl_twin_of, &k, &s->cookie, BPF_ANY))
		gl_count(GL_STAT_TWIN_ADD_FAIL);
	else
		gl_count(GL_STAT_TWIN_ADD);
	bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_STATE_CB_FLAG);
}

/* A twin closed with a response outstanding (its daemon gone, say): the
 * client would wait for it forever; the daemon, the next one if need be
 * (the ring buffer is pinned), shuts the original down. */
static __always_inline void gl_twin_closed_owing(const struct gl_sock *s)
{
	struct gl_twin_event ev = {
		.type = GL_EV_TWIN_BROKEN, .tgid = s->tgid, .cookie = s->peer, .lane = s->ep_lane,
	};
	struct gl_rx *rx = bpf_map_lookup_elem(&gl_rx, &s->cookie);

	if (!rx || rx->sent == rx->done || rx->state == GL_RX_CLOSED)
		return;	/* owing nothing, or the FIN said so already */
	gl_count(GL_STAT_TWIN_BROKEN);
	if (bpf_ringbuf_output(&gl_events, &ev, sizeof(ev), 0))
		gl_count(GL_STAT_EVENT_LOST);
}

/* sockops, a steered HTTP connection closed: forget its counts; a twin leaves
 * its original, an original with twins has the daemon close them. */
static __always_inline void gl_twin_closed(struct bpf_sock_ops *skops, struct gl_sock *s)
{
	struct gl_twin_key k = { .cookie = s->peer, .lane = s->ep_lane };
	struct gl_twin_event ev = { .type = GL_EV_CONN_CLOSED, .cookie = s->cookie };
	__u64 *twin;

	if (s->twin) {
		twin = bpf_map_lookup_elem(&gl_twin_of, &k);
		if (twin && *twin == s->cookie)
			bpf_map_delete_elem(&gl_twin_of, &k);
		gl_count(GL_STAT_TWIN_CLOSED);
		gl_twin_closed_owing(s);
		bpf_map_delete_elem(&gl_rx, &s->cookie);
		return;
	}
	bpf_map_delete_elem(&gl_rx, &s->cookie);
	if (!s->twinned)
		return;
	bpf_map_delete_elem(&gl_park, &s->cookie);	/* a request held, lost with it */
	if (bpf_ringbuf_output(&gl_events, &ev, sizeof(ev), 0))
		gl_count(GL_STAT_EVENT_LOST);
}

#endif
