/* SPDX-License-Identifier: MIT */
/* The strerror table: designated initialisers, indexed by positive code. */
#include <stdlib.h>

#include "util/compiler.h"
#include <iommusim/common.h>

struct err_desc {
	const char *name;
	const char *text;
};

static const struct err_desc errors[] = {
	[EPERM] = { "EPERM", "operation not permitted" },
	[ENOENT] = { "ENOENT", "no such entry" },
	[EIO] = { "EIO", "I/O error" },
	[ENXIO] = { "ENXIO", "no such device or address" },
	[E2BIG] = { "E2BIG", "argument list too long" },
	[ENOMEM] = { "ENOMEM", "out of memory" },
	[EACCES] = { "EACCES", "permission denied" },
	[EFAULT] = { "EFAULT", "bad address" },
	[EBUSY] = { "EBUSY", "device or resource busy" },
	[EEXIST] = { "EEXIST", "already exists" },
	[ENODEV] = { "ENODEV", "no such device" },
	[EINVAL] = { "EINVAL", "invalid argument" },
	[ENOSPC] = { "ENOSPC", "no space left" },
	[ERANGE] = { "ERANGE", "out of range" },
	[EDOM] = { "EDOM", "argument out of domain" },
	[ENAMETOOLONG] = { "ENAMETOOLONG", "name too long" },
	[ENOSYS] = { "ENOSYS", "not implemented" },
	[ELOOP] = { "ELOOP", "too many levels of nesting or a reference cycle" },
	[ENODATA] = { "ENODATA", "no data" },
	[EOVERFLOW] = { "EOVERFLOW", "value too large" },
	[EILSEQ] = { "EILSEQ", "illegal sequence" },
	[EOPNOTSUPP] = { "EOPNOTSUPP", "operation not supported" },
	[ETIMEDOUT] = { "ETIMEDOUT", "timed out" },
	[EALREADY] = { "EALREADY", "already in progress" },
	[EPROBE_DEFER] = { "EPROBE_DEFER", "probe deferred" },
	[ENOTSUPP] = { "ENOTSUPP", "operation is not supported" },
	[IMS_EBADDTB] = { "EBADDTB", "malformed device tree blob" },
	[IMS_EOVERLAY] = { "EOVERLAY", "overlay could not be applied" },
	[IMS_ELIMIT] = { "ELIMIT", "input exceeds a resource limit" },
	[IMS_ETOOL] = { "ETOOL", "external tool failed" },
};

static const struct err_desc *lookup(int err)
{
	unsigned int e = (unsigned int)abs(err);

	if (e < ARRAY_SIZE(errors) && errors[e].name)
		return &errors[e];
	return NULL;
}

IMS_EXPORT const char *ims_strerror(int err)
{
	const struct err_desc *d;

	if (err == 0)
		return "success";
	d = lookup(err);
	return d ? d->text : "unknown error";
}

IMS_EXPORT const char *ims_errname(int err)
{
	const struct err_desc *d;

	if (err == 0)
		return "OK";
	d = lookup(err);
	return d ? d->name : "E?";
}
