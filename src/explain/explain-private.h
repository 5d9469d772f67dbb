/* SPDX-License-Identifier: MIT */
/* explain: helpers shared by the renderers (not exported). */
#ifndef IMS_EXPLAIN_PRIVATE_H
#define IMS_EXPLAIN_PRIVATE_H

#include <stdio.h>

#include <iommusim/explain.h>

/* A JSON string (NULL gives null). */
void ims_explain_json_str(FILE *f, const char *s);

/* Close the memstream @f over *@buf; on success *@out = *@buf.  0 or -ENOMEM. */
int ims_explain_finish(FILE *f, char **out, char **buf);

/* The report's device called @name, or NULL. */
const struct ims_explain_device *ims_explain_find_device(const struct ims_explain_report *r,
							 const char *name);

#endif
