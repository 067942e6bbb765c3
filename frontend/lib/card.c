// SPDX-License-Identifier: MIT
/*
 * card.c - a vsnd card seen from the guest: its XenStore configuration, the
 * XenBus handshake with the backend and the reactions to the backend's
 * state that the Linux frontend has (protocol.md 2.2, 2.3), plus the close
 * handshake.
 *
 * The state machine is driven by re-reading the backend's state node every
 * time its watch fires: watches fire at registration and may fire for
 * nothing, so an event only says "look again", never what happened. What
 * to do follows from the pair (backend state read now, frontend state we
 * last wrote), which makes every step idempotent.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "vsnd/names.h"
#include "vsnd/xscfg.h"

#define BE_WATCH_TOKEN "vsndfe-backend-state"

/**
 * fe_log() - hand a message to the user's log callback, if any.
 * @card: the card.
 * @level: its level.
 * @fmt: printf-style text.
 *
 * The library never writes to stderr or syslog itself.
 */
void fe_log(struct vsndfe_card *card, enum vsndfe_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!card->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	card->log(card->log_opaque, level, msg);
}

/**
 * fe_broken() - record that the backend broke the protocol.
 * @card: the card; it stays unusable until the backend reconnects.
 * @s: the stream concerned, or NULL.
 * @fmt: printf-style description, logged at error level.
 *
 * Return: -EPROTO, for `return fe_broken(...)`.
 */
int fe_broken(struct vsndfe_card *card, const struct vsndfe_stream *s, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	card->broken = true;
	if (s)
		fe_log(card, VSNDFE_LOG_ERR, "pcm%u/s%u: backend broke the protocol: %s", s->pcm,
		       s->stream, msg);
	else
		fe_log(card, VSNDFE_LOG_ERR, "backend broke the protocol: %s", msg);
	return -EPROTO;
}

static int xs_write_str(struct vsndfe_card *card, const char *path, const char *value)
{
	return xenif_xs_write(card->x, XENIF_TX_NONE, path, value, strlen(value));
}

static int fe_set_state(struct vsndfe_card *card, int state)
{
	char path[256], value[8];
	int r;

	snprintf(path, sizeof(path), "%s/state", card->fe_path);
	snprintf(value, sizeof(value), "%d", state);
	r = xs_write_str(card, path, value);
	if (r < 0) {
		fe_log(card, VSNDFE_LOG_ERR, "writing %s: %s", path, strerror(-r));
		return r;
	}
	fe_log(card, VSNDFE_LOG_DEBUG, "frontend state %s", vsnd_xenbus_state_to_string(state));
	card->fe_state = state;
	return 0;
}

/* A decimal u32 with nothing around it (toolstack-written values). */
static int parse_u32(const char *s, uint32_t *ret)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -EINVAL;
	}
	*ret = (uint32_t)v;
	return 0;
}

/* The backend's state; a missing node reads as Unknown, as in xenbus. */
static int read_be_state(struct vsndfe_card *card, int *ret)
{
	_cleanup_free_ char *v = NULL;
	uint32_t st;
	int r;

	r = xenif_xs_read(card->x, XENIF_TX_NONE, card->be_state_path, &v, NULL);
	if (r == -ENOENT) {
		*ret = XB_UNKNOWN;
		return 0;
	}
	if (r < 0)
		return r;
	*ret = parse_u32(v, &st) < 0 || st > 8 ? XB_UNKNOWN : (int)st;
	return 0;
}

/* Whether the backend's `versions` list names 2 (protocol.md 1.2). */
static bool be_speaks_v2(struct vsndfe_card *card)
{
	_cleanup_free_ char *path = NULL, *v = NULL;
	char *tok, *save = NULL;

	if (asprintf(&path, "%s/versions", card->be_path) < 0) {
		path = NULL;
		return false;
	}
	if (xenif_xs_read(card->x, XENIF_TX_NONE, path, &v, NULL) < 0)
		return false;
	for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "2") == 0)
			return true;
	return false;
}

/* Forget the connection: buffers and rings are revoked without CLOSE, since
 * the backend that mapped them is gone or restarting. */
static void card_teardown(struct vsndfe_card *card)
{
	for (unsigned int i = 0; i < card->n_streams; i++) {
		fe_stream_release_buffer(&card->streams[i]);
		fe_transport_free(&card->streams[i]);
	}
	card->connected = false;
	card->broken = false;
}

/* Answer the backend's InitWait: fresh rings, channels and event ids. */
static int card_initialise(struct vsndfe_card *card)
{
	int r;

	for (unsigned int i = 0; i < card->n_streams; i++) {
		r = fe_transport_alloc(&card->streams[i]);
		if (r < 0)
			goto fail;
	}
	r = fe_transport_publish(card, be_speaks_v2(card));
	if (r < 0)
		goto fail;
	r = fe_set_state(card, XB_INITIALISED);
	if (r < 0)
		goto fail;
	return 0;
fail:
	fe_log(card, VSNDFE_LOG_ERR, "initialising the transport: %s", strerror(-r));
	card_teardown(card);
	return r;
}

/* One step of protocol.md 2.3 for the backend state @be. */
static int card_step(struct vsndfe_card *card, int be)
{
	int r;

	switch (be) {
	case XB_INITWAIT:
		/* Already answered: the watch fired again for the same InitWait. */
		if (card->fe_state == XB_INITIALISED)
			return 0;
		if (card->fe_state == XB_CONNECTED)
			fe_log(card, VSNDFE_LOG_INFO, "backend restarted: reconnecting");
		card_teardown(card);
		if (card->fe_state != XB_INITIALISING) {
			r = fe_set_state(card, XB_INITIALISING);
			if (r < 0)
				return r;
		}
		return card_initialise(card);
	case XB_CONNECTED:
		if (card->fe_state != XB_INITIALISED)
			return 0;
		r = fe_set_state(card, XB_CONNECTED);
		if (r < 0)
			return r;
		card->connected = true;
		fe_log(card, VSNDFE_LOG_INFO, "connected to backend %s", card->be_path);
		return 1;
	case XB_UNKNOWN:
	case XB_INITIALISING:
	case XB_CLOSED:
		if (card->fe_state == XB_INITIALISING)
			return 0;
		fe_log(card, VSNDFE_LOG_INFO, "backend is %s: disconnected",
		       vsnd_xenbus_state_to_string(be));
		card_teardown(card);
		return fe_set_state(card, XB_INITIALISING);
	default:
		/* Closing: Linux waits for Closed; 3, 7, 8 mean nothing to us. */
		return 0;
	}
}

static void drain_watch(struct vsndfe_card *card)
{
	char *path, *token;

	while (xenif_xs_read_watch(card->x, &path, &token) == 0) {
		free(path);
		free(token);
	}
}

int vsndfe_card_process(struct vsndfe_card *card)
{
	int be, r;

	if (!card)
		return -EINVAL;
	drain_watch(card);
	r = read_be_state(card, &be);
	if (r < 0)
		return r;
	return card_step(card, be);
}

static int poll_xs(struct vsndfe_card *card, int timeout)
{
	struct pollfd pfd = { .fd = xenif_xs_fd(card->x), .events = POLLIN };
	int r;

	do
		r = poll(&pfd, 1, timeout);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

int vsndfe_card_wait_connected(struct vsndfe_card *card, unsigned int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	int r;

	if (!card)
		return -EINVAL;
	for (;;) {
		r = vsndfe_card_process(card);
		if (r < 0)
			return r;
		if (vsndfe_card_connected(card))
			return 0;
		r = poll_xs(card, ms_left(deadline));
		if (r < 0)
			return r;
		if (r == 0)
			return -ETIMEDOUT;
	}
}

bool vsndfe_card_connected(const struct vsndfe_card *card)
{
	return card && card->connected && !card->broken;
}

/* The xscfg reader over XenStore, relative to the card's FE directory. */
static int cfg_read(void *ctx, const char *relpath, char *buf, size_t bufsz)
{
	struct vsndfe_card *card = ctx;
	_cleanup_free_ char *path = NULL, *v = NULL;
	size_t len;
	int r;

	if (asprintf(&path, "%s/%s", card->fe_path, relpath) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	r = xenif_xs_read(card->x, XENIF_TX_NONE, path, &v, &len);
	if (r < 0)
		return r;
	if (bufsz > 0) {
		size_t n = len < bufsz - 1 ? len : bufsz - 1;

		memcpy(buf, v, n);
		buf[n] = '\0';
	}
	return len > INT32_MAX ? INT32_MAX : (int)len;
}

static int card_read_config(struct vsndfe_card *card)
{
	struct vsnd_xs_reader rd = { .read = cfg_read, .ctx = card };
	struct vsnd_xscfg_error err = { { 0 } };
	int r;

	r = vsnd_xscfg_parse(&rd, VSND_XSCFG_MODE_LINUX, &card->cfg, &err);
	if (r < 0) {
		fe_log(card, VSNDFE_LOG_ERR, "configuration in %s: %s", card->fe_path,
		       err.msg[0] ? err.msg : strerror(-r));
		/* No PCM device is a configuration Linux refuses, like a bad type. */
		return r == -ENODEV ? -EINVAL : r;
	}
	for (unsigned int i = 0; i < card->cfg->warnings.n; i++)
		fe_log(card, VSNDFE_LOG_DEBUG, "configuration: %s", card->cfg->warnings.msg[i]);
	card->n_streams = vsnd_xscfg_stream_count(card->cfg);
	card->streams = calloc(card->n_streams ? card->n_streams : 1, sizeof(*card->streams));
	if (!card->streams)
		return -ENOMEM;
	for (unsigned int i = 0; i < card->n_streams; i++) {
		struct vsndfe_stream *s = &card->streams[i];

		s->card = card;
		s->index = i;
		vsnd_xscfg_stream_at(card->cfg, i, &s->pcm, &s->stream);
		s->playback = card->cfg->pcms[s->pcm]->streams[s->stream].type ==
			      VSND_XSCFG_STREAM_PLAYBACK;
	}
	return 0;
}

/* FE's `backend` and `backend-id`, written by the toolstack. */
static int card_read_backend(struct vsndfe_card *card)
{
	_cleanup_free_ char *path = NULL, *id = NULL;
	int r;

	if (asprintf(&path, "%s/backend", card->fe_path) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	r = xenif_xs_read(card->x, XENIF_TX_NONE, path, &card->be_path, NULL);
	if (r < 0)
		return r;
	if (card->be_path[0] != '/')
		return -EINVAL;
	free(path);
	if (asprintf(&path, "%s/backend-id", card->fe_path) < 0) {
		path = NULL;
		return -ENOMEM;
	}
	r = xenif_xs_read(card->x, XENIF_TX_NONE, path, &id, NULL);
	if (r < 0)
		return r == -ENOENT ? -EINVAL : r;
	if (parse_u32(id, &card->be_domid) < 0 || card->be_domid > XENIF_DOMID_MAX)
		return -EINVAL;
	if (asprintf(&card->be_state_path, "%s/state", card->be_path) < 0) {
		card->be_state_path = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int card_setup(struct vsndfe_card *card, const struct vsndfe_options *opt)
{
	const char *spec = opt->xen ? opt->xen : "real";
	bool sim = strncmp(spec, "sim:", 4) == 0;
	uint32_t self;
	int r;

	r = xenif_open(spec, sim ? opt->domid : XENIF_DOMID_SELF, &card->x);
	if (r < 0)
		return r;
	self = xenif_domid(card->x);
	if (self == XENIF_DOMID_SELF)
		r = asprintf(&card->fe_path, "device/vsnd/%u", opt->devid);
	else
		r = asprintf(&card->fe_path, "/local/domain/%u/device/vsnd/%u", self, opt->devid);
	if (r < 0) {
		card->fe_path = NULL;
		return -ENOMEM;
	}
	r = card_read_backend(card);
	if (r < 0) {
		fe_log(card, VSNDFE_LOG_ERR, "device %s: %s", card->fe_path, strerror(-r));
		return r;
	}
	r = card_read_config(card);
	if (r < 0)
		return r;
	/* A previous instance may have left 3 or 4 behind: start over, as a
	 * probing Linux frontend does, so the backend forgets old rings. */
	r = fe_set_state(card, XB_INITIALISING);
	if (r < 0)
		return r;
	r = xenif_xs_watch(card->x, card->be_state_path, BE_WATCH_TOKEN);
	if (r < 0)
		return r;
	card->watching = true;
	return 0;
}

int vsndfe_card_open(const struct vsndfe_options *opt, struct vsndfe_card **ret)
{
	struct vsndfe_card *card;
	int r;

	if (!opt || !ret)
		return -EINVAL;
	card = calloc(1, sizeof(*card));
	if (!card)
		return -ENOMEM;
	card->timeout_ms = opt->timeout_ms ? opt->timeout_ms : VSNDFE_DEFAULT_TIMEOUT_MS;
	card->connect_timeout_ms = opt->connect_timeout_ms ? opt->connect_timeout_ms :
							    VSNDFE_DEFAULT_CONNECT_TIMEOUT_MS;
	card->log = opt->log;
	card->log_opaque = opt->log_opaque;
	card->fe_state = -1;

	r = card_setup(card, opt);
	if (r >= 0)
		r = vsndfe_card_wait_connected(card, card->connect_timeout_ms);
	if (r < 0) {
		if (r == -ETIMEDOUT)
			fe_log(card, VSNDFE_LOG_ERR, "backend %s did not connect in %u ms",
			       card->be_path ? card->be_path : "?", card->connect_timeout_ms);
		vsndfe_card_close(card);
		return r;
	}
	*ret = card;
	return 0;
}

/* After Closing, give the backend a bounded time to follow (Linux: 1 s
 * waiting for InitWait on unbind; Closing or Closed are fine too). */
static void card_wait_be_closed(struct vsndfe_card *card)
{
	uint64_t deadline = now_ms() + VSNDFE_CLOSE_WAIT_MS;
	int be;

	for (;;) {
		drain_watch(card);
		if (read_be_state(card, &be) < 0)
			return;
		if (be == XB_CLOSING || be == XB_CLOSED || be == XB_INITWAIT || be == XB_UNKNOWN)
			return;
		if (poll_xs(card, ms_left(deadline)) <= 0) {
			fe_log(card, VSNDFE_LOG_WARN, "backend state is %s while closing",
			       vsnd_xenbus_state_to_string(be));
			return;
		}
	}
}

struct vsndfe_card *vsndfe_card_close(struct vsndfe_card *card)
{
	if (!card)
		return NULL;
	for (unsigned int i = 0; i < card->n_streams; i++)
		if (card->streams[i].open)
			vsndfe_stream_close(&card->streams[i]);
	if (card->fe_state == XB_INITIALISED || card->fe_state == XB_CONNECTED) {
		if (fe_set_state(card, XB_CLOSING) == 0 && card->watching)
			card_wait_be_closed(card);
		card_teardown(card);
		fe_set_state(card, XB_CLOSED);
	}
	card_teardown(card);
	if (card->watching)
		xenif_xs_unwatch(card->x, card->be_state_path, BE_WATCH_TOKEN);
	vsnd_xscfg_free(card->cfg);
	free(card->streams);
	free(card->fe_path);
	free(card->be_path);
	free(card->be_state_path);
	xenif_close(card->x);
	free(card);
	return NULL;
}

const struct vsnd_xscfg *vsndfe_card_config(const struct vsndfe_card *card)
{
	return card ? card->cfg : NULL;
}

int vsndfe_card_fd(struct vsndfe_card *card)
{
	return card ? xenif_xs_fd(card->x) : -EINVAL;
}

unsigned int vsndfe_card_stream_count(const struct vsndfe_card *card)
{
	return card ? card->n_streams : 0;
}

struct vsndfe_stream *vsndfe_card_stream(struct vsndfe_card *card, unsigned int index)
{
	if (!card || index >= card->n_streams)
		return NULL;
	return &card->streams[index];
}

struct vsndfe_stream *vsndfe_card_stream_at(struct vsndfe_card *card, unsigned int pcm,
					    unsigned int stream)
{
	int i;

	if (!card)
		return NULL;
	i = vsnd_xscfg_stream_index(card->cfg, pcm, stream);
	return i < 0 ? NULL : &card->streams[i];
}
