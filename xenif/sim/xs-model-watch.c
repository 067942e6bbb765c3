/* SPDX-License-Identifier: MIT */
/*
 * xs-model-watch.c - watches of the XenStore model and the delivery of
 * their events, as xenstored 4.17 does it:
 * - a watch is (connection, canonical path, token); registering fires it
 *   once with the path as given;
 * - a change to node P fires the watches on P and on its ancestors (rm
 *   also fires those on each removed node: see xs-model-store.c), with P
 *   as the event path, relative when the watch was registered relative;
 * - an unprivileged watcher gets the event only if it may read P, or P's
 *   parent, or (permission changes) P under its old permissions;
 * - "@introduceDomain" and "@releaseDomain" fire only on request, to
 *   privileged watchers and those their permission lists let read.
 * Events go out synchronously through the model's callback, in watch
 * registration order; the callback must not call back into the model.
 */
#include "xs-model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xs-model-int.h"

static struct xsm_watch *watch_free(struct xsm_watch *w)
{
	if (w) {
		free(w->path);
		free(w->token);
		free(w);
	}
	return NULL;
}

static void deliver(struct xs_model *m, const struct xsm_watch *w, const char *path)
{
	if (m->fire)
		m->fire(m->opaque, w->conn, path + w->prefix_len, w->token);
}

static bool may_read(const struct xsm_watch *w, const struct xsm_perms *p)
{
	return xsm_perm_for(w->domid, w->privileged, p) & XS_MODEL_PERM_READ;
}

/* xenstored's watch_permitted(): @node is the changed node, NULL to look
 * it up; a node that is gone and had no old permissions is seen by no one. */
static bool may_see(const struct xs_model *m, const struct xsm_watch *w, const char *path,
		    const struct xsm_node *node, const struct xsm_perms *old_perms)
{
	char buf[XSM_PATH_BUF];
	const struct xsm_node *parent;
	size_t len;

	if (old_perms && may_read(w, old_perms))
		return true;
	if (!node)
		node = xsm_lookup(m, path);
	if (!node)
		return false;
	if (may_read(w, &node->perms))
		return true;
	len = strcmp(path, "/") ? xsm_parent_len(path) : 1;
	memcpy(buf, path, len);
	buf[len] = '\0';
	parent = xsm_lookup(m, buf);
	return parent && may_read(w, &parent->perms);
}

/**
 * xsm_fire() - deliver the events of a change to @path.
 * @m: the model.
 * @path: the changed node (canonical).
 * @exact: fire only watches on @path itself (descendants removed by rm).
 * @node: the node as changed (before removal for rm), NULL to look it up.
 * @old_perms: its permissions before a set_perms, or NULL.
 */
void xsm_fire(struct xs_model *m, const char *path, bool exact, const struct xsm_node *node,
	      const struct xsm_perms *old_perms)
{
	const struct xsm_watch *w;

	for (w = m->watches; w; w = w->next) {
		if (w->path[0] == '@')
			continue;
		if (exact ? strcmp(path, w->path) != 0 : !xsm_is_child(path, w->path))
			continue;
		if (may_see(m, w, path, node, old_perms))
			deliver(m, w, path);
	}
}

/**
 * xs_model_watch() - register a watch and fire it once.
 * @m: the model.
 * @c: the caller; the watch belongs to its connection.
 * @path: absolute, relative or special ("@...") path.
 * @token: the caller's token, echoed in events.
 *
 * Return: 0, -EINVAL (bad path), -EEXIST (same canonical path and token on
 * this connection), -E2BIG (watch quota: as xenstored compares with '>', one
 * watch beyond it is still accepted) or -ENOMEM.
 */
int xs_model_watch(struct xs_model *m, const struct xs_model_caller *c, const char *path,
		   const char *token)
{
	char buf[XSM_PATH_BUF];
	struct xsm_watch *w, **pp;
	unsigned int count = 0;
	bool rel;
	int r;

	if (!token)
		return -EINVAL;
	r = xsm_canonicalize(c, path, true, buf, &rel);
	if (r < 0)
		return r;
	for (pp = &m->watches; (w = *pp); pp = &w->next) {
		if (w->conn != c->conn)
			continue;
		if (strcmp(w->path, buf) == 0 && strcmp(w->token, token) == 0)
			return -EEXIST;
		count++;
	}
	if (!c->privileged && m->quota.watches && count > m->quota.watches)
		return -E2BIG;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(buf);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		watch_free(w);
		return -ENOMEM;
	}
	w->conn = c->conn;
	w->domid = c->domid;
	w->privileged = c->privileged;
	w->prefix_len = rel ? strlen(buf) - strlen(path) : 0;
	*pp = w;
	deliver(m, w, w->path);
	return 0;
}

/**
 * xs_model_unwatch() - remove a watch; the path is compared canonically, so
 * "data" and "/local/domain/<caller>/data" name the same watch.
 * @m: the model.
 * @c: the caller.
 * @path: as given to xs_model_watch() (or its other form).
 * @token: the token.
 *
 * Return: 0, -EINVAL (bad path) or -ENOENT (no such watch on this connection).
 */
int xs_model_unwatch(struct xs_model *m, const struct xs_model_caller *c, const char *path,
		     const char *token)
{
	char buf[XSM_PATH_BUF];
	struct xsm_watch *w, **pp;
	bool rel;
	int r;

	if (!token)
		return -EINVAL;
	r = xsm_canonicalize(c, path, true, buf, &rel);
	if (r < 0)
		return r;
	for (pp = &m->watches; (w = *pp); pp = &w->next) {
		if (w->conn == c->conn && strcmp(w->path, buf) == 0 &&
		    strcmp(w->token, token) == 0) {
			*pp = w->next;
			watch_free(w);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * xsm_watches_drop() - remove the watches of @conn, or all of them.
 * @m: the model.
 * @conn: the connection.
 * @all: ignore @conn and remove every watch.
 */
void xsm_watches_drop(struct xs_model *m, uint64_t conn, bool all)
{
	struct xsm_watch *w, **pp = &m->watches;

	while ((w = *pp)) {
		if (all || w->conn == conn) {
			*pp = w->next;
			watch_free(w);
		} else {
			pp = &w->next;
		}
	}
}

/**
 * xs_model_fire_special() - fire the watches on a special name, for the
 * watchers allowed to see it (privileged ones, and those whose domain the
 * name's permission list lets read).
 * @m: the model.
 * @special: "@introduceDomain" or "@releaseDomain".
 */
void xs_model_fire_special(struct xs_model *m, const char *special)
{
	const struct xsm_perms *sp = xsm_special_perms(m, special);
	const struct xsm_watch *w;

	for (w = m->watches; w; w = w->next) {
		if (strcmp(w->path, special) != 0)
			continue;
		if (w->privileged || (sp && may_read(w, sp)))
			deliver(m, w, w->path);
	}
}

/**
 * xs_model_fire_spurious() - fire the watches on @path and its ancestors as
 * if @path had changed. Privileged watchers get the event even when @path
 * does not exist, so a fault can reach watches on nodes yet to be created.
 * @m: the model.
 * @path: absolute path (relative ones are taken as dom0's), or a special name.
 */
void xs_model_fire_spurious(struct xs_model *m, const char *path)
{
	static const struct xs_model_caller dom0 = { .domid = 0, .privileged = true };
	char buf[XSM_PATH_BUF];
	const struct xsm_watch *w;
	bool rel;

	if (xsm_canonicalize(&dom0, path, true, buf, &rel) < 0)
		return;
	if (buf[0] == '@') {
		xs_model_fire_special(m, buf);
		return;
	}
	for (w = m->watches; w; w = w->next) {
		if (w->path[0] == '@' || !xsm_is_child(buf, w->path))
			continue;
		if (w->privileged || may_see(m, w, buf, NULL, NULL))
			deliver(m, w, buf);
	}
}
