// SPDX-License-Identifier: MIT
/*
 * xenbus-info.c - read-only views of the XenBus state machine for tests and
 * the status tool, and the accessors the device layer uses on a device.
 */
#include "xenbus.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xenbus-int.h"

int sndbe_xenbus_fd(struct sndbe_xenbus *xb)
{
	return xb ? xenif_xs_fd(xb->x) : -EINVAL;
}

unsigned int sndbe_xenbus_count(const struct sndbe_xenbus *xb)
{
	return xb ? xb->n_devs : 0;
}

static void dev_info(const struct sndbe_xb_device *d, struct sndbe_xb_info *ret)
{
	unsigned int n = d->n_history < SNDBE_XB_HISTORY ? d->n_history : SNDBE_XB_HISTORY;

	memset(ret, 0, sizeof(*ret));
	ret->domid = d->domid;
	ret->devid = d->devid;
	ret->state = d->state;
	ret->fe_state = d->fe_state;
	ret->online = d->online;
	ret->connected = d->connected;
	ret->connects = d->connects;
	ret->n_history = d->n_history;
	for (unsigned int i = 0; i < n; i++)
		ret->history[i] = d->history[(d->n_history - n + i) % SNDBE_XB_HISTORY];
	memcpy(ret->error, d->error, sizeof(ret->error));
}

int sndbe_xenbus_info(const struct sndbe_xenbus *xb, unsigned int index, struct sndbe_xb_info *ret)
{
	if (!xb || !ret || index >= xb->n_devs)
		return -ENOENT;
	dev_info(xb->devs[index], ret);
	return 0;
}

int sndbe_xenbus_find(const struct sndbe_xenbus *xb, uint32_t domid, uint32_t devid,
		      struct sndbe_xb_info *ret)
{
	const struct sndbe_xb_device *d = xb ? sndbe_xb_lookup(xb, domid, devid) : NULL;

	if (!d)
		return -ENOENT;
	if (ret)
		dev_info(d, ret);
	return 0;
}

uint32_t sndbe_xb_device_domid(const struct sndbe_xb_device *dev)
{
	return dev->domid;
}

uint32_t sndbe_xb_device_devid(const struct sndbe_xb_device *dev)
{
	return dev->devid;
}

const char *sndbe_xb_device_frontend(const struct sndbe_xb_device *dev)
{
	return dev->fe;
}

void sndbe_xb_device_set_error(struct sndbe_xb_device *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dev->reason, sizeof(dev->reason), fmt, ap);
	va_end(ap);
}

void *sndbe_xb_device_get_priv(const struct sndbe_xb_device *dev)
{
	return dev->priv;
}

void sndbe_xb_device_set_priv(struct sndbe_xb_device *dev, void *priv)
{
	dev->priv = priv;
}
