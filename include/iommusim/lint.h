/* SPDX-License-Identifier: MIT */
/*
 * iommusim lint: the configuration mistakes between a device tree and Linux
 * 6.12's DMA/IOMMU wiring that no other tool catches before boot.  Lint boots
 * the board (ims_machine_boot()) and also analyses the tree statically where
 * boot cannot see (RIDs no device occupies, disabled SMMUs).  The result is a
 * list of findings, each with a stable check name (docs/lint.md lists them and
 * their severities), the node, property and device involved, what Linux will
 * do and how to fix it.  The library only builds the list; the CLI formats it.
 */
#ifndef IOMMUSIM_LINT_H
#define IOMMUSIM_LINT_H

#include <stdbool.h>
#include <stdint.h>

#include <iommusim/common.h>
#include <iommusim/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

/** enum ims_lint_severity - how bad a finding is. */
enum ims_lint_severity {
	IMS_LINT_INFO = 0,    /* worth knowing; Linux works as the author probably meant */
	IMS_LINT_WARNING = 1, /* latent or partial breakage; Linux carries on */
	IMS_LINT_ERROR = 2,   /* a device's DMA/IOMMU wiring is broken on Linux 6.12 */
	IMS_LINT_NR_SEVERITIES = 3,
};

/**
 * struct ims_lint_finding - one finding.
 * @check:    the check's stable name ("rid-unmapped"), a static string.
 * @severity: the severity.
 * @node:     the DT node path involved, or NULL.
 * @property: the property involved ("iommu-map"), or NULL.
 * @device:   the device involved (dev_name(), or the node's platform bus id), or NULL.
 * @message:  what is wrong, what Linux does, and how to fix it (one paragraph).
 */
struct ims_lint_finding {
	const char *check;
	enum ims_lint_severity severity;
	char *node;
	char *property;
	char *device;
	char *message;
};

/**
 * struct ims_lint_report - the findings for one board.
 * @board:       the board file.
 * @findings:    the findings, in check order then tree order.
 * @nr_findings: their count.
 * @counts:      findings per severity.
 * @booted:      the machine booted; when false only the static checks ran.
 * @boot_err:    the boot's error (0 when booted).
 * @boot_msg:    its message, or NULL.
 * @nr_devices:  devices the boot created (0 when not booted).
 * @nr_rids:     RIDs examined over every host bridge's bus-range.
 */
struct ims_lint_report {
	char *board;
	struct ims_lint_finding *findings;
	int nr_findings, cap_findings;
	int counts[IMS_LINT_NR_SEVERITIES];
	bool booted;
	int boot_err;
	char *boot_msg;
	int nr_devices;
	long nr_rids;
};

/** The names of every check, in the order the report lists them (NULL-terminated). */
IMS_EXPORT extern const char *const ims_lint_checks[];

/**
 * ims_lint_board() - load @path with its overlays, boot it, and lint it.
 * @out:         set to the report (free with ims_lint_free()).
 * @path:        a .dts/.dtb file.
 * @overlays:    @nr_overlays .dtso/.dtbo files.
 * @nr_overlays: their count.
 *
 * A boot failure is not an error: the report then holds the static checks and
 * @booted is false.
 *
 * Return: 0; ims_of_tree_load()'s errors for a file that cannot be loaded;
 * -ENOMEM; -EINVAL for bad arguments.
 */
IMS_EXPORT int ims_lint_board(struct ims_lint_report **out, const char *path,
			      const char *const *overlays, int nr_overlays);

/**
 * ims_lint_machine() - lint a machine with a board loaded (booted or not).
 * @out: set to the report.
 * @m:   the machine; when it is booted, the device checks run too.
 *
 * Return: 0; -EINVAL without a board; -ENOMEM.
 */
IMS_EXPORT int ims_lint_machine(struct ims_lint_report **out, struct ims_machine *m);

/**
 * ims_lint_free() - free a report; NULL is allowed.
 * @r: the report.
 */
IMS_EXPORT void ims_lint_free(struct ims_lint_report *r);

/**
 * ims_lint_severity_name() - "error", "warning" or "info".
 * @sev: the severity.
 *
 * Return: a static string.
 */
IMS_EXPORT const char *ims_lint_severity_name(enum ims_lint_severity sev);

/**
 * ims_lint_find() - the first finding of @check (and, if not NULL, on @node).
 * @r:     the report.
 * @check: the check name.
 * @node:  a node path, or NULL for any.
 *
 * Return: the finding, or NULL.
 */
IMS_EXPORT const struct ims_lint_finding *ims_lint_find(const struct ims_lint_report *r,
							const char *check, const char *node);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_LINT_H */
