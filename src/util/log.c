/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "util/compiler.h"
#include "util/log.h"

#define IMS_MSG_MAX 1024

static _Thread_local char last_error[IMS_MSG_MAX];

void ims_vlogf(const struct ims_log *log, enum ims_log_level level, const char *fmt, va_list ap)
{
	char buf[IMS_MSG_MAX];

	if (!log || !log->fn || level > log->max_level)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log->fn(log->ctx, level, buf);
}

void ims_logf(const struct ims_log *log, enum ims_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ims_vlogf(log, level, fmt, ap);
	va_end(ap);
}

int ims_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

IMS_EXPORT const char *ims_last_error(void)
{
	return last_error;
}

IMS_EXPORT void ims_clear_error(void)
{
	last_error[0] = '\0';
}

IMS_EXPORT const char *ims_log_level_name(enum ims_log_level level)
{
	static const char *const names[] = {
		[IMS_LOG_ERR] = "err",	 [IMS_LOG_WARNING] = "warn", [IMS_LOG_NOTICE] = "notice",
		[IMS_LOG_INFO] = "info", [IMS_LOG_DEBUG] = "debug",
	};

	if ((unsigned int)level < ARRAY_SIZE(names) && names[level])
		return names[level];
	return "?";
}
