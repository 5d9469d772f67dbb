/* SPDX-License-Identifier: MIT */
/*
 * iommusim common definitions: the export macro, error codes and the log sink.
 *
 * Every library function that can fail returns an int: zero or a meaningful
 * non-negative value on success, a negative error code on failure.  Codes
 * mirror the kernel's errno values wherever the model reproduces kernel
 * behaviour, so that a report can say exactly what Linux would have returned.
 */
#ifndef IOMMUSIM_COMMON_H
#define IOMMUSIM_COMMON_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(IMS_BUILDING_LIBRARY)
#define IMS_EXPORT __attribute__((visibility("default")))
#else
#define IMS_EXPORT
#endif

#if defined(__GNUC__)
#define IMS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IMS_PRINTF(f, a)
#endif

/* Kernel-internal codes that have no userspace errno (include/linux/errno.h). */
#define EPROBE_DEFER 517 /* driver requests probe retry */
#define ENOTSUPP 524	 /* operation is not supported (kernel-internal) */

/* iommusim's own codes, above the errno range. */
#define IMS_EBADDTB 4097  /* malformed flattened device tree */
#define IMS_EOVERLAY 4098 /* overlay could not be applied */
#define IMS_ELIMIT 4099	  /* input exceeds a documented resource limit */
#define IMS_ETOOL 4100	  /* an external tool (dtc) failed */

/**
 * ims_strerror() - describe an error code.
 * @err: an error code, negative (as returned) or positive.
 *
 * Return: a static string; never NULL, even for unknown codes.
 */
IMS_EXPORT const char *ims_strerror(int err);

/**
 * ims_errname() - the symbolic name of an error code ("ENODEV", "EPROBE_DEFER").
 * @err: an error code, negative or positive.
 *
 * Return: a static string; "OK" for 0 and "E?" for unknown codes; never NULL.
 */
IMS_EXPORT const char *ims_errname(int err);

/**
 * ims_last_error() - the detailed message of the last failure on this thread.
 *
 * Library functions that fail on bad input record a message that names the
 * file, node and property (or the call) involved.  The message stays until
 * the next failure on the same thread or ims_clear_error().
 *
 * Return: the message, or "" when there is none; never NULL.
 */
IMS_EXPORT const char *ims_last_error(void);

/** ims_clear_error() - forget this thread's last error message. */
IMS_EXPORT void ims_clear_error(void);

/** enum ims_log_level - message levels, numbered like the kernel's KERN_* levels. */
enum ims_log_level {
	IMS_LOG_ERR = 3,
	IMS_LOG_WARNING = 4,
	IMS_LOG_NOTICE = 5,
	IMS_LOG_INFO = 6,
	IMS_LOG_DEBUG = 7,
};

/**
 * typedef ims_log_fn - a log sink.
 * @ctx:   the cookie given with the sink.
 * @level: the message level.
 * @msg:   the message, formatted as the kernel would print it, without a newline.
 */
typedef void (*ims_log_fn)(void *ctx, enum ims_log_level level, const char *msg);

/**
 * struct ims_log - a log sink installed by the caller.  The library never prints.
 * @fn:        called for each message at or below @max_level; NULL drops messages.
 * @ctx:       passed back to @fn.
 * @max_level: the most verbose level delivered.
 */
struct ims_log {
	ims_log_fn fn;
	void *ctx;
	enum ims_log_level max_level;
};

/**
 * ims_log_level_name() - "err", "warn", "notice", "info" or "debug".
 * @level: a level.
 *
 * Return: a static string; never NULL.
 */
IMS_EXPORT const char *ims_log_level_name(enum ims_log_level level);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_COMMON_H */
