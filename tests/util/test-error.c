/* SPDX-License-Identifier: MIT */
#include <iommusim/common.h>

#include "../tap.h"
#include "util/log.h"

struct sink {
	int count;
	enum ims_log_level level;
	char msg[256];
};

static void collect(void *ctx, enum ims_log_level level, const char *msg)
{
	struct sink *s = ctx;

	s->count++;
	s->level = level;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

int main(void)
{
	struct sink s = { 0 };
	struct ims_log log = { collect, &s, IMS_LOG_INFO };

	is_str(ims_errname(-ENODEV), "ENODEV", "errname of -ENODEV");
	is_str(ims_errname(ENODEV), "ENODEV", "errname accepts positive codes");
	is_str(ims_errname(-EPROBE_DEFER), "EPROBE_DEFER",
	       "kernel-internal EPROBE_DEFER has a name");
	is_str(ims_errname(-IMS_EBADDTB), "EBADDTB", "project code has a name");
	is_str(ims_errname(0), "OK", "0 is OK");
	is_str(ims_errname(-123456), "E?", "unknown code gets a placeholder name");
	is_str(ims_strerror(-123456), "unknown error", "unknown code never yields NULL");
	is_str(ims_strerror(-EFAULT), "bad address", "strerror text");

	is_int(ims_error(-EINVAL, "node %s: property %s", "/a", "b"), -EINVAL,
	       "ims_error returns its code");
	is_str(ims_last_error(), "node /a: property b", "ims_error records the message");
	ims_clear_error();
	is_str(ims_last_error(), "", "ims_clear_error forgets it");

	ims_logf(&log, IMS_LOG_ERR, "stream %u already in tree from dev %s", 64u, "0000:00:05.0");
	is_int(s.count, 1, "sink called once");
	is_str(s.msg, "stream 64 already in tree from dev 0000:00:05.0", "message formatted");
	is_int(s.level, IMS_LOG_ERR, "level passed");
	ims_logf(&log, IMS_LOG_DEBUG, "dropped");
	is_int(s.count, 1, "messages above max_level are dropped");
	ims_logf(NULL, IMS_LOG_ERR, "no sink");
	is_int(s.count, 1, "a NULL sink drops messages");
	is_str(ims_log_level_name(IMS_LOG_WARNING), "warn", "level names");
	return tap_done();
}
