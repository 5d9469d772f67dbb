/* SPDX-License-Identifier: MIT */
/*
 * iommusim scenarios: a line-oriented language that boots a board and drives
 * the DMA API and device-side DMA, with expectations on data, faults and the
 * kernel log.  The parser checks syntax and what can be known before boot
 * (buffers used before they are allocated, sizes that overflow); the
 * interpreter runs the statements on a struct ims_machine and reports what
 * happens through a callback (the library never prints).  See docs/run.md.
 */
#ifndef IOMMUSIM_SCENARIO_H
#define IOMMUSIM_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include <iommusim/common.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ims_scenario;

/** enum ims_scenario_op - the statements of the language (docs/run.md). */
enum ims_scenario_op {
	IMS_SCN_BOARD = 0,     /* board PATH */
	IMS_SCN_OVERLAY,       /* overlay PATH */
	IMS_SCN_OPTION,	       /* option KEY=VALUE */
	IMS_SCN_BOOT,	       /* boot */
	IMS_SCN_BIND,	       /* bind DEV */
	IMS_SCN_UNBIND,	       /* unbind DEV */
	IMS_SCN_DMA_MASK,      /* dma_mask DEV BITS */
	IMS_SCN_DMA_ALLOC,     /* dma_alloc NAME DEV SIZE */
	IMS_SCN_DMA_FREE,      /* dma_free NAME */
	IMS_SCN_MMAP,	       /* mmap NAME */
	IMS_SCN_MAP,	       /* map NAME DEV SIZE DIR */
	IMS_SCN_UNMAP,	       /* unmap NAME */
	IMS_SCN_SYNC,	       /* sync NAME for-cpu|for-device */
	IMS_SCN_FQ_FLUSH,      /* fq-flush DEV */
	IMS_SCN_CPU_WRITE,     /* cpu write NAME OFFSET DATA */
	IMS_SCN_CPU_EXPECT,    /* cpu expect NAME OFFSET DATA */
	IMS_SCN_DEV_WRITE,     /* dev write DEV ADDR DATA */
	IMS_SCN_DEV_READ,      /* dev read DEV ADDR (LEN | expect DATA) */
	IMS_SCN_EXPECT_FAULT,  /* expect fault DEV [event E] [context] [sid N] [addr N] ... */
	IMS_SCN_EXPECT_LOG,    /* expect log "TEXT" */
	IMS_SCN_EXPECT_NOLOG,  /* expect no-log "TEXT" */
	IMS_SCN_EXPECT_OPS,    /* expect dma-ops DEV iommu|direct|dummy */
	IMS_SCN_EXPECT_LINT,   /* expect lint CHECK [severity S] [node PATH] [device DEV] */
	IMS_SCN_EXPECT_NOLINT, /* expect no-lint CHECK [severity S] [node PATH] [device DEV] */
	IMS_SCN_NR_OPS,
};

/** The most bytes one DATA operand or device access may carry. */
#define IMS_SCN_MAX_DATA 65536
/** The most statements and buffers in one scenario. */
#define IMS_SCN_MAX_STMTS 4096
#define IMS_SCN_MAX_BUFS 256

/* Which fields an expect fault statement checks (struct ims_scenario_stmt.fault_has). */
#define IMS_SCN_FAULT_EVENT (1u << 0)
#define IMS_SCN_FAULT_SID (1u << 1)
#define IMS_SCN_FAULT_ADDR (1u << 2)
#define IMS_SCN_FAULT_CONTEXT (1u << 3)
#define IMS_SCN_FAULT_FSR (1u << 4)
#define IMS_SCN_FAULT_CB (1u << 5)

/**
 * struct ims_scenario_stmt - one parsed statement.
 * @op:        the statement.
 * @line:      its line in the file (1-based).
 * @text:      the line as written, trimmed.
 * @name:      NAME (a buffer) or the device name, or the option/path, or the lint check.
 * @dev:       DEV, where the statement has one besides @name (expect lint: device, or NULL).
 * @value:     the option value, the log text (expect lint: node, or NULL).
 * @size:      SIZE / LEN / OFFSET / BITS; expect lint: severity + 1 (0 = any).
 * @addr:      a numeric DMA address (when @addr_buf is NULL).
 * @addr_buf:  ADDR given as NAME[+OFF]: the buffer (then @addr is the offset).
 * @dir:       map direction (enum ims_dma_data_direction values) / sync: 1 for-cpu, 0 for-device.
 * @data:      DATA bytes; @data_len of them.
 * @fault_has: IMS_SCN_FAULT_* fields an expect fault checks.
 * @event, @sid, @fault_addr, @fsr, @cb: their values.
 */
struct ims_scenario_stmt {
	enum ims_scenario_op op;
	int line;
	char *text;
	char *name;
	char *dev;
	char *value;
	uint64_t size;
	uint64_t addr;
	char *addr_buf;
	int dir;
	uint8_t *data;
	uint64_t data_len;
	unsigned int fault_has;
	uint32_t event, sid, fsr;
	int cb;
	uint64_t fault_addr;
};

/**
 * ims_scenario_parse() - parse scenario text.
 * @out:      set to the scenario.
 * @filename: the name in messages ("file:line: ...").
 * @base_dir: the directory that relative board/overlay paths start from (NULL: ".").
 * @text:     the text (NUL-terminated).
 *
 * Return: 0; -EINVAL with ims_last_error() "FILE:LINE: problem" for a syntax
 * error or an impossible scenario; -ENOMEM.
 */
IMS_EXPORT int ims_scenario_parse(struct ims_scenario **out, const char *filename,
				  const char *base_dir, const char *text);

/**
 * ims_scenario_load() - read and parse a scenario file (paths relative to its directory).
 * @out:  set to the scenario.
 * @path: the file.
 *
 * Return: 0; -ENOENT/-EIO when it cannot be read; ims_scenario_parse()'s errors.
 */
IMS_EXPORT int ims_scenario_load(struct ims_scenario **out, const char *path);

/**
 * ims_scenario_free() - free a scenario; NULL is fine.
 * @s: the scenario.
 */
IMS_EXPORT void ims_scenario_free(struct ims_scenario *s);

/**
 * ims_scenario_nr_stmts() - statements parsed.
 * @s: the scenario.
 *
 * Return: the count.
 */
IMS_EXPORT int ims_scenario_nr_stmts(const struct ims_scenario *s);

/**
 * ims_scenario_stmt() - the @idx-th statement.
 * @s:   the scenario.
 * @idx: 0 .. ims_scenario_nr_stmts() - 1.
 *
 * Return: the statement, or NULL.
 */
IMS_EXPORT const struct ims_scenario_stmt *ims_scenario_stmt(const struct ims_scenario *s, int idx);

/**
 * ims_scenario_op_name() - the keyword(s) of @op ("dma_alloc", "expect fault").
 * @op: the statement.
 *
 * Return: a static string.
 */
IMS_EXPORT const char *ims_scenario_op_name(enum ims_scenario_op op);

/** enum ims_scenario_event_kind - what the interpreter reports. */
enum ims_scenario_event_kind {
	IMS_SCN_EV_STMT = 0, /* a statement starts: text is the statement */
	IMS_SCN_EV_KLOG,     /* a new kernel-log line */
	IMS_SCN_EV_INFO,     /* what the statement did (addresses, bytes) */
	IMS_SCN_EV_FAULT,    /* a device access faulted: text describes the record */
	IMS_SCN_EV_PASS,     /* an expectation held */
	IMS_SCN_EV_FAIL,     /* an expectation failed */
	IMS_SCN_EV_ERROR,    /* the scenario cannot go on (unknown device, boot failed) */
};

/**
 * struct ims_scenario_event - one report.
 * @kind: what.
 * @line: the statement's line (0 for the end of the scenario).
 * @text: the message.
 */
struct ims_scenario_event {
	enum ims_scenario_event_kind kind;
	int line;
	const char *text;
};

/**
 * struct ims_scenario_result - the outcome of ims_scenario_run().
 * @executed: statements run.
 * @passed:   expectations that held.
 * @failed:   expectations that failed (unexpected faults included).
 * @error:    0, or the negative code that stopped the run (then @error_line).
 * @error_line: the line of the statement that stopped it.
 */
struct ims_scenario_result {
	int executed;
	int passed;
	int failed;
	int error;
	int error_line;
};

/** ims_scenario_event_fn - receives each report in order. */
typedef void (*ims_scenario_event_fn)(void *ctx, const struct ims_scenario_event *ev);

/**
 * ims_scenario_run() - boot and run the scenario.
 * @s:      the scenario.
 * @fn:     receives the reports (may be NULL).
 * @ctx:    passed to @fn.
 * @result: filled.
 *
 * A failed expectation is counted and the run goes on; an impossible step
 * (unknown device, a failed boot, an allocation that fails) stops it with
 * @result->error and an IMS_SCN_EV_ERROR report naming file:line.
 *
 * Return: 0 when the scenario ran to the end (whatever the expectations
 * said); the negative code of the error that stopped it.
 */
IMS_EXPORT int ims_scenario_run(struct ims_scenario *s, ims_scenario_event_fn fn, void *ctx,
				struct ims_scenario_result *result);

#ifdef __cplusplus
}
#endif
#endif /* IOMMUSIM_SCENARIO_H */
