/* SPDX-License-Identifier: MIT */
/* Internal logging and error-recording helpers. */
#ifndef IMS_UTIL_LOG_H
#define IMS_UTIL_LOG_H

#include <iommusim/common.h>

/* Format a message and deliver it to @log (NULL or a NULL fn drops it). */
void ims_logf(const struct ims_log *log, enum ims_log_level level, const char *fmt, ...)
	IMS_PRINTF(3, 4);
void ims_vlogf(const struct ims_log *log, enum ims_log_level level, const char *fmt, va_list ap)
	IMS_PRINTF(3, 0);

/*
 * Record @fmt as this thread's last error message and return @err, so that a
 * failure path reads "return ims_error(-EINVAL, "%s: node %s: ...", ...);".
 */
int ims_error(int err, const char *fmt, ...) IMS_PRINTF(2, 3);

#define ims_err(log, ...) ims_logf(log, IMS_LOG_ERR, __VA_ARGS__)
#define ims_warn(log, ...) ims_logf(log, IMS_LOG_WARNING, __VA_ARGS__)
#define ims_info(log, ...) ims_logf(log, IMS_LOG_INFO, __VA_ARGS__)
#define ims_dbg(log, ...) ims_logf(log, IMS_LOG_DEBUG, __VA_ARGS__)

#endif
