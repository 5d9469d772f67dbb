/* SPDX-License-Identifier: MIT */
/* Shared by the scenario parser and interpreter. */
#ifndef IMS_SCENARIO_PRIVATE_H
#define IMS_SCENARIO_PRIVATE_H

#include <iommusim/scenario.h>

struct ims_scenario {
	char *filename;
	char *base_dir;
	struct ims_scenario_stmt *stmts;
	int nr_stmts;
};

#endif
