// SPDX-License-Identifier: MIT
/*
 * The scenario interpreter: boots a struct ims_machine with the scenario's
 * board, overlays and options, then runs each statement through the DMA API
 * (include/iommusim/dma.h) and device-side DMA (ims_machine_device_dma()),
 * reporting what happens, the new kernel-log lines and each expectation's
 * outcome through the caller's callback.  docs/run.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/dma.h>
#include <iommusim/lint.h>
#include <iommusim/machine.h>

#include "scenario/scenario-private.h"
#include "util/compiler.h"
#include "util/log.h"

#define SCN_PAGE 4096ULL

/* A buffer while the scenario runs. */
struct rbuf {
	const char *name;
	bool live, coherent, mmapped;
	struct ims_device *dev;
	uint64_t size, dma;
	void *cpu;
	int dir;
	struct ims_vm_area vma;
};

/* The last device access that faulted and no expect fault has consumed yet. */
struct pending_fault {
	bool valid;
	int line;
	const char *dev;
	uint64_t addr;
	bool v2;
	struct ims_machine_dma_result res;
};

struct runner {
	struct ims_scenario *s;
	ims_scenario_event_fn fn;
	void *ctx;
	struct ims_scenario_result *r;
	struct ims_machine_opts mopts;
	struct ims_dma_opts dopts;
	struct ims_machine *m;
	char *board;
	char *overlays[16];
	int nr_overlays;
	int klog_seen;
	struct rbuf bufs[IMS_SCN_MAX_BUFS];
	int nr_bufs;
	struct pending_fault pf;
};

static void emit(struct runner *rn, enum ims_scenario_event_kind kind, int line, const char *fmt,
		 ...) IMS_PRINTF(4, 5);
static void emit(struct runner *rn, enum ims_scenario_event_kind kind, int line, const char *fmt,
		 ...)
{
	struct ims_scenario_event ev = { kind, line, NULL };
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev.text = msg;
	if (kind == IMS_SCN_EV_PASS)
		rn->r->passed++;
	else if (kind == IMS_SCN_EV_FAIL)
		rn->r->failed++;
	if (rn->fn)
		rn->fn(rn->ctx, &ev);
}

static void flush_klog(struct runner *rn, int line)
{
	int nr = rn->m ? ims_machine_klog_nr(rn->m) : 0;

	for (; rn->klog_seen < nr; rn->klog_seen++) {
		const struct ims_klog_entry *e = ims_machine_klog(rn->m, rn->klog_seen);

		if (e)
			emit(rn, IMS_SCN_EV_KLOG, line, "%s", e->text);
	}
}

/* Stop the run: report and return @err. */
static int fatal(struct runner *rn, const struct ims_scenario_stmt *st, int err, const char *fmt,
		 ...) IMS_PRINTF(4, 5);
static int fatal(struct runner *rn, const struct ims_scenario_stmt *st, int err, const char *fmt,
		 ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ims_error(err, "%s:%d: %s", rn->s->filename, st->line, msg);
	emit(rn, IMS_SCN_EV_ERROR, st->line, "%s:%d: %s", rn->s->filename, st->line, msg);
	rn->r->error = err;
	rn->r->error_line = st->line;
	return err;
}

static char *resolve(const struct runner *rn, const char *path)
{
	size_t n;
	char *out;

	if (path[0] == '/' || !strcmp(rn->s->base_dir, "."))
		return strdup(path);
	n = strlen(rn->s->base_dir) + strlen(path) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", rn->s->base_dir, path);
	return out;
}

static struct ims_device *find_dev(struct runner *rn, const struct ims_scenario_stmt *st,
				   const char *name, int *err)
{
	struct ims_device *dev = ims_machine_find_device(rn->m, name);

	if (!dev)
		*err = fatal(rn, st, -ENODEV, "unknown device %s", name);
	return dev;
}

static struct rbuf *find_buf(struct runner *rn, const char *name)
{
	for (int i = 0; i < rn->nr_bufs; i++)
		if (rn->bufs[i].live && !strcmp(rn->bufs[i].name, name))
			return &rn->bufs[i];
	return NULL; /* the parser guarantees it exists */
}

static struct rbuf *new_buf(struct runner *rn, const char *name)
{
	for (int i = 0; i < rn->nr_bufs; i++)
		if (!rn->bufs[i].live && !strcmp(rn->bufs[i].name, name))
			return memset(&rn->bufs[i], 0, sizeof(rn->bufs[i]));
	if (rn->nr_bufs == IMS_SCN_MAX_BUFS)
		return NULL;
	return &rn->bufs[rn->nr_bufs++];
}

static void hex(char *out, size_t cap, const uint8_t *d, uint64_t n)
{
	size_t o = 0;

	out[0] = '\0';
	for (uint64_t i = 0; i < n && o + 4 < cap; i++) {
		if (i == 32 && n > 33) {
			snprintf(out + o, cap - o, " ...");
			return;
		}
		o += (size_t)snprintf(out + o, cap - o, "%s%02x", i ? " " : "", d[i]);
	}
}

static void expect_bytes(struct runner *rn, const struct ims_scenario_stmt *st, const char *what,
			 const uint8_t *got)
{
	char g[160], w[160];

	hex(g, sizeof(g), got, st->data_len);
	if (!memcmp(got, st->data, st->data_len)) {
		emit(rn, IMS_SCN_EV_PASS, st->line, "%s: %s", what, g);
		return;
	}
	hex(w, sizeof(w), st->data, st->data_len);
	emit(rn, IMS_SCN_EV_FAIL, st->line, "%s: got %s, expected %s", what, g, w);
}

static const char *event_name(uint32_t ev)
{
	switch (ev) {
	case 0x02:
		return "C_BAD_STREAMID";
	case 0x03:
		return "F_STE_FETCH";
	case 0x04:
		return "C_BAD_STE";
	case 0x06:
		return "F_STREAM_DISABLED";
	case 0x08:
		return "C_BAD_SUBSTREAMID";
	case 0x09:
		return "F_CD_FETCH";
	case 0x0a:
		return "C_BAD_CD";
	case 0x0b:
		return "F_WALK_EABT";
	case 0x10:
		return "F_TRANSLATION";
	case 0x11:
		return "F_ADDR_SIZE";
	case 0x12:
		return "F_ACCESS";
	case 0x13:
		return "F_PERMISSION";
	case 0x20:
		return "F_TLB_CONFLICT";
	case 0x21:
		return "F_CFG_CONFLICT";
	default:
		return "?";
	}
}

static void describe_fault(const struct pending_fault *pf, char *out, size_t cap)
{
	const struct ims_txn_result *t = &pf->res.txn;

	if (!pf->res.path.translated)
		snprintf(out, cap, "untranslated access to 0x%llx: not RAM",
			 (unsigned long long)pf->addr);
	else if (t->status == IMS_TXN_ABORT)
		snprintf(out, cap, "aborted by the SMMU (no record): sid 0x%x addr 0x%llx",
			 pf->res.path.sid, (unsigned long long)pf->addr);
	else if (!pf->v2)
		snprintf(out, cap, "SMMUv3 event 0x%02x (%s) sid 0x%x addr 0x%llx", t->fault.event,
			 event_name(t->fault.event), pf->res.path.sid,
			 (unsigned long long)pf->addr);
	else if (t->fault.cbndx >= 0)
		snprintf(out, cap, "MMU-500 context fault: cb %d fsr 0x%x sid 0x%x addr 0x%llx",
			 t->fault.cbndx, t->fault.fsr, pf->res.path.sid,
			 (unsigned long long)pf->addr);
	else
		snprintf(out, cap, "MMU-500 global fault: sGFSR 0x%x sid 0x%x addr 0x%llx",
			 t->fault.fsr, pf->res.path.sid, (unsigned long long)pf->addr);
}

static void unexpected_fault(struct runner *rn)
{
	char d[256];

	if (!rn->pf.valid)
		return;
	describe_fault(&rn->pf, d, sizeof(d));
	emit(rn, IMS_SCN_EV_FAIL, rn->pf.line, "unexpected fault of %s (line %d): %s", rn->pf.dev,
	     rn->pf.line, d);
	rn->pf.valid = false;
}

/* The device access, split at 4 KiB as the interconnect does; stops at the first fault. */
static int dev_access(struct runner *rn, const struct ims_scenario_stmt *st, struct ims_device *dev,
		      uint64_t addr, uint8_t *buf, uint64_t len, bool write)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		uint64_t n = IMS_MIN(len - done, SCN_PAGE - (a & (SCN_PAGE - 1)));
		struct ims_machine_dma_result res;
		int ret = ims_machine_device_dma(rn->m, dev, a, buf + done, n, write, &res);

		if (ret == -EFAULT) {
			struct ims_machine_smmu *sm =
				res.path.translated
					? ims_machine_smmu_by_node(rn->m, res.path.smmu_node)
					: NULL;
			char d[256];

			rn->pf = (struct pending_fault){
				true, st->line, st->name, a, sm && sm->kind == IMS_MACHINE_SMMUV2,
				res
			};
			describe_fault(&rn->pf, d, sizeof(d));
			emit(rn, IMS_SCN_EV_FAULT, st->line, "%s", d);
			return ret;
		}
		if (ret)
			return fatal(rn, st, ret, "device access failed: %s", ims_errname(ret));
		if (done == 0 && res.txn.status == IMS_TXN_BYPASS && res.path.translated)
			emit(rn, IMS_SCN_EV_INFO, st->line,
			     "%s bypasses the SMMU (sid 0x%x): 0x%llx -> PA 0x%llx",
			     write ? "write" : "read", res.path.sid, (unsigned long long)a,
			     (unsigned long long)res.txn.pa);
		else if (done == 0 && res.path.translated)
			emit(rn, IMS_SCN_EV_INFO, st->line,
			     "%s through the SMMU, sid 0x%x: IOVA 0x%llx -> PA 0x%llx",
			     write ? "write" : "read", res.path.sid, (unsigned long long)a,
			     (unsigned long long)res.txn.pa);
		else if (done == 0)
			emit(rn, IMS_SCN_EV_INFO, st->line,
			     "%s untranslated: DMA address 0x%llx -> PA 0x%llx",
			     write ? "write" : "read", (unsigned long long)a,
			     (unsigned long long)ims_dma_to_phys(dev, a));
		done += n;
	}
	return 0;
}

static void check_fault(struct runner *rn, const struct ims_scenario_stmt *st)
{
	const struct pending_fault *pf = &rn->pf;
	const struct ims_txn_fault *f = &pf->res.txn.fault;
	char d[256], why[256] = "";
	size_t o = 0;

	if (!pf->valid || strcmp(pf->dev, st->name)) {
		emit(rn, IMS_SCN_EV_FAIL, st->line, "expected a fault of %s: none", st->name);
		if (pf->valid)
			unexpected_fault(rn);
		return;
	}
	describe_fault(pf, d, sizeof(d));
	if ((st->fault_has & IMS_SCN_FAULT_EVENT) && (pf->v2 || f->event != st->event))
		o += (size_t)snprintf(why + o, sizeof(why) - o, " event 0x%02x", st->event);
	if ((st->fault_has & IMS_SCN_FAULT_CONTEXT) && (!pf->v2 || f->cbndx < 0))
		o += (size_t)snprintf(why + o, sizeof(why) - o, " context");
	if ((st->fault_has & IMS_SCN_FAULT_CB) && (!pf->v2 || f->cbndx != st->cb))
		o += (size_t)snprintf(why + o, sizeof(why) - o, " cb %d", st->cb);
	if ((st->fault_has & IMS_SCN_FAULT_FSR) && (!pf->v2 || (f->fsr & st->fsr) != st->fsr))
		o += (size_t)snprintf(why + o, sizeof(why) - o, " fsr 0x%x", st->fsr);
	if ((st->fault_has & IMS_SCN_FAULT_SID) && pf->res.path.sid != st->sid)
		o += (size_t)snprintf(why + o, sizeof(why) - o, " sid 0x%x", st->sid);
	if (st->fault_has & IMS_SCN_FAULT_ADDR) {
		uint64_t want = st->fault_addr;

		if (st->addr_buf) {
			const struct rbuf *b = find_buf(rn, st->addr_buf);

			want += b ? b->dma : 0;
		}
		if (pf->addr != want)
			o += (size_t)snprintf(why + o, sizeof(why) - o, " addr 0x%llx",
					      (unsigned long long)want);
	}
	if (o)
		emit(rn, IMS_SCN_EV_FAIL, st->line, "fault of %s: got %s; expected%s", st->name, d,
		     why);
	else
		emit(rn, IMS_SCN_EV_PASS, st->line, "fault of %s: %s", st->name, d);
	rn->pf.valid = false;
}

/* expect lint / no-lint: run the lint checks on the machine as it is now. */
static int check_lint(struct runner *rn, const struct ims_scenario_stmt *st)
{
	const struct ims_lint_finding *hit = NULL;
	struct ims_lint_report *lr = NULL;
	int ret = ims_lint_machine(&lr, rn->m);

	if (ret)
		return fatal(rn, st, ret, "lint failed: %s", ims_errname(ret));
	for (int i = 0; i < lr->nr_findings && !hit; i++) {
		const struct ims_lint_finding *f = &lr->findings[i];

		if (!strcmp(f->check, st->name) &&
		    (!st->size || (uint64_t)f->severity + 1 == st->size) &&
		    (!st->value || (f->node && !strcmp(f->node, st->value))) &&
		    (!st->dev || (f->device && !strcmp(f->device, st->dev))))
			hit = f;
	}
	if (hit)
		emit(rn, st->op == IMS_SCN_EXPECT_LINT ? IMS_SCN_EV_PASS : IMS_SCN_EV_FAIL,
		     st->line, "lint %s (%s)%s%s%s%s: %s", hit->check,
		     ims_lint_severity_name(hit->severity), hit->node ? " on " : "",
		     hit->node ? hit->node : "", hit->device ? ", device " : "",
		     hit->device ? hit->device : "", hit->message);
	else
		emit(rn, st->op == IMS_SCN_EXPECT_LINT ? IMS_SCN_EV_FAIL : IMS_SCN_EV_PASS,
		     st->line, "lint: no %s finding matches (%d finding(s) in all)", st->name,
		     lr->nr_findings);
	ims_lint_free(lr);
	return 0;
}

static uint64_t stmt_addr(struct runner *rn, const struct ims_scenario_stmt *st)
{
	const struct rbuf *b = st->addr_buf ? find_buf(rn, st->addr_buf) : NULL;

	return (b ? b->dma : 0) + st->addr;
}

static int do_boot(struct runner *rn, const struct ims_scenario_stmt *st)
{
	int ret = ims_machine_new(&rn->m, &rn->mopts);

	if (!ret)
		ret = ims_machine_load_board(rn->m, rn->board, (const char *const *)rn->overlays,
					     rn->nr_overlays);
	if (!ret)
		ret = ims_machine_boot(rn->m);
	if (!ret)
		ret = ims_dma_setup(ims_machine_devcore(rn->m), &rn->dopts);
	flush_klog(rn, st->line);
	if (ret)
		return fatal(rn, st, ret, "boot failed: %s: %s", ims_errname(ret),
			     ims_last_error());
	emit(rn, IMS_SCN_EV_INFO, st->line, "booted: %d devices, %d SMMU(s)",
	     ims_devcore_nr_devices(ims_machine_devcore(rn->m)), ims_machine_nr_smmus(rn->m));
	return 0;
}

static const char *const dir_names[] = { "DMA_BIDIRECTIONAL", "DMA_TO_DEVICE", "DMA_FROM_DEVICE" };

static int do_stmt(struct runner *rn, const struct ims_scenario_stmt *st)
{
	struct ims_device *dev = NULL;
	struct rbuf *b = NULL;
	struct ims_mem *mem = rn->m ? ims_machine_mem(rn->m) : NULL;
	uint8_t *data;
	int ret = 0;

	switch (st->op) {
	case IMS_SCN_BOARD:
	case IMS_SCN_OVERLAY: {
		char *p = resolve(rn, st->name);

		if (!p)
			return -ENOMEM;
		if (st->op == IMS_SCN_BOARD) {
			rn->board = p;
		} else if (rn->nr_overlays == (int)ARRAY_SIZE(rn->overlays)) {
			free(p);
			return fatal(rn, st, -EINVAL, "too many overlays (at most %d)",
				     (int)ARRAY_SIZE(rn->overlays));
		} else {
			rn->overlays[rn->nr_overlays++] = p;
		}
		return 0;
	}
	case IMS_SCN_OPTION:
		if (!strcmp(st->name, "iommu.strict"))
			rn->mopts.iommu.strict = st->value[0] == '1';
		else if (!strcmp(st->name, "iommu.passthrough"))
			rn->mopts.iommu.passthrough = st->value[0] == '1';
		else if (!strcmp(st->name, "iommu.forcedac"))
			rn->dopts.forcedac = st->value[0] == '1';
		else if (!strcmp(st->name, "dma_debug"))
			rn->dopts.debug = !strcmp(st->value, "on");
		else if (!strcmp(st->value, "force"))
			rn->dopts.swiotlb_force = true;
		else
			rn->dopts.swiotlb_size = st->size;
		return 0;
	case IMS_SCN_BOOT:
		return do_boot(rn, st);
	default:
		break;
	}

	if (st->op == IMS_SCN_BIND || st->op == IMS_SCN_UNBIND || st->op == IMS_SCN_FQ_FLUSH ||
	    st->op == IMS_SCN_DMA_MASK || st->op == IMS_SCN_EXPECT_OPS) {
		dev = find_dev(rn, st, st->name, &ret);
	} else if (st->op == IMS_SCN_DMA_ALLOC || st->op == IMS_SCN_MAP) {
		dev = find_dev(rn, st, st->dev, &ret);
	} else if (st->op == IMS_SCN_DEV_WRITE || st->op == IMS_SCN_DEV_READ) {
		unexpected_fault(rn);
		dev = find_dev(rn, st, st->name, &ret);
	} else if (st->op != IMS_SCN_EXPECT_LOG && st->op != IMS_SCN_EXPECT_NOLOG &&
		   st->op != IMS_SCN_EXPECT_FAULT && st->op != IMS_SCN_EXPECT_LINT &&
		   st->op != IMS_SCN_EXPECT_NOLINT) {
		b = find_buf(rn, st->name);
		if (!b)
			return fatal(rn, st, -EINVAL, "no buffer %s", st->name);
	}
	if (ret)
		return ret;

	switch (st->op) {
	case IMS_SCN_BIND:
		ret = ims_device_attach(dev);
		flush_klog(rn, st->line);
		if (ret < 0)
			return fatal(rn, st, ret, "device_attach(%s) failed: %s", st->name,
				     ims_errname(ret));
		emit(rn, IMS_SCN_EV_INFO, st->line, "device_attach(%s): %s", st->name,
		     dev->driver ? dev->driver->name : "no driver matched");
		ret = 0;
		break;
	case IMS_SCN_UNBIND:
		if (!dev->driver)
			return fatal(rn, st, -ENODEV, "%s has no driver to unbind", st->name);
		ims_device_release_driver(dev);
		emit(rn, IMS_SCN_EV_INFO, st->line, "device_release_driver(%s)", st->name);
		break;
	case IMS_SCN_DMA_MASK:
		ret = ims_dma_set_mask_and_coherent(dev, IMS_DMA_BIT_MASK((unsigned int)st->size));
		emit(rn, IMS_SCN_EV_INFO, st->line,
		     "dma_set_mask_and_coherent(%s, DMA_BIT_MASK(%u)) = %s", st->name,
		     (unsigned int)st->size, ret ? ims_errname(ret) : "0");
		ret = 0;
		break;
	case IMS_SCN_FQ_FLUSH:
		ret = ims_dma_fq_timeout(dev);
		if (ret < 0)
			return fatal(rn, st, ret, "%s is not on dma-iommu (%s)", st->name,
				     ims_errname(ret));
		emit(rn, IMS_SCN_EV_INFO, st->line, "fq_flush_timeout: %d IOVA range(s) freed",
		     ret);
		ret = 0;
		break;
	case IMS_SCN_DMA_ALLOC:
		b = new_buf(rn, st->name);
		if (!b)
			return -ENOMEM;
		b->cpu = ims_dma_alloc_coherent(dev, (size_t)st->size, &b->dma, IMS_GFP_KERNEL);
		flush_klog(rn, st->line);
		if (!b->cpu)
			return fatal(rn, st, -ENOMEM, "dma_alloc_coherent(%s, %llu) failed",
				     st->dev, (unsigned long long)st->size);
		*b = (struct rbuf){ st->name, true,   true,   false, dev,
				    st->size, b->dma, b->cpu, 0,     { 0 } };
		if (ims_virt_to_phys(mem, b->cpu) != ~0ULL)
			emit(rn, IMS_SCN_EV_INFO, st->line,
			     "dma_alloc_coherent(%s, 0x%llx) = dma 0x%llx, cpu PA 0x%llx", st->dev,
			     (unsigned long long)st->size, (unsigned long long)b->dma,
			     (unsigned long long)ims_virt_to_phys(mem, b->cpu));
		else
			emit(rn, IMS_SCN_EV_INFO, st->line,
			     "dma_alloc_coherent(%s, 0x%llx) = dma 0x%llx, cpu: a contiguous "
			     "mapping of scattered pages",
			     st->dev, (unsigned long long)st->size, (unsigned long long)b->dma);
		break;
	case IMS_SCN_MAP:
		b = new_buf(rn, st->name);
		if (!b)
			return -ENOMEM;
		*b = (struct rbuf){ st->name, false, false, false,   dev,
				    st->size, 0,     NULL,  st->dir, { 0 } };
		b->cpu = ims_kmalloc(mem, (size_t)st->size);
		if (!b->cpu)
			return fatal(rn, st, -ENOMEM, "kmalloc(%llu) failed",
				     (unsigned long long)st->size);
		b->dma = ims_dma_map_single(dev, b->cpu, (size_t)st->size,
					    (enum ims_dma_data_direction)st->dir);
		flush_klog(rn, st->line);
		if (ims_dma_mapping_error(dev, b->dma)) {
			ims_kfree(mem, b->cpu);
			return fatal(rn, st, -ENOMEM,
				     "dma_map_single(%s) failed: DMA_MAPPING_ERROR", st->dev);
		}
		b->live = true;
		emit(rn, IMS_SCN_EV_INFO, st->line,
		     "dma_map_single(%s, kmalloc PA 0x%llx, 0x%llx, %s) = dma 0x%llx", st->dev,
		     (unsigned long long)ims_virt_to_phys(mem, b->cpu),
		     (unsigned long long)st->size, dir_names[st->dir], (unsigned long long)b->dma);
		break;
	case IMS_SCN_DMA_FREE:
		if (b->mmapped)
			ims_dma_munmap(&b->vma);
		ims_dma_free_coherent(b->dev, (size_t)b->size, b->cpu, b->dma);
		b->live = false;
		emit(rn, IMS_SCN_EV_INFO, st->line, "dma_free_coherent(dma 0x%llx)",
		     (unsigned long long)b->dma);
		break;
	case IMS_SCN_UNMAP:
		ims_dma_unmap_single(b->dev, b->dma, (size_t)b->size,
				     (enum ims_dma_data_direction)b->dir);
		ims_kfree(mem, b->cpu);
		b->live = false;
		emit(rn, IMS_SCN_EV_INFO, st->line, "dma_unmap_single(dma 0x%llx, 0x%llx, %s)",
		     (unsigned long long)b->dma, (unsigned long long)b->size, dir_names[b->dir]);
		break;
	case IMS_SCN_MMAP:
		b->vma = (struct ims_vm_area){ 0, (size_t)ALIGN_UP(b->size, SCN_PAGE), NULL };
		ret = ims_dma_mmap_coherent(b->dev, &b->vma, b->cpu, b->dma, (size_t)b->size);
		if (ret)
			return fatal(rn, st, ret, "dma_mmap_coherent(%s) failed: %s", st->name,
				     ims_errname(ret));
		b->mmapped = true;
		emit(rn, IMS_SCN_EV_INFO, st->line,
		     "dma_mmap_coherent: %llu page(s) mapped into this process",
		     (unsigned long long)(b->vma.len / SCN_PAGE));
		break;
	case IMS_SCN_SYNC:
		if (st->dir)
			ims_dma_sync_single_for_cpu(b->dev, b->dma, (size_t)b->size,
						    (enum ims_dma_data_direction)b->dir);
		else
			ims_dma_sync_single_for_device(b->dev, b->dma, (size_t)b->size,
						       (enum ims_dma_data_direction)b->dir);
		emit(rn, IMS_SCN_EV_INFO, st->line, "dma_sync_single_for_%s(dma 0x%llx)",
		     st->dir ? "cpu" : "device", (unsigned long long)b->dma);
		break;
	case IMS_SCN_CPU_WRITE:
	case IMS_SCN_CPU_EXPECT:
		data = (uint8_t *)(b->mmapped ? b->vma.addr : b->cpu) + st->size;
		if (st->op == IMS_SCN_CPU_WRITE) {
			memcpy(data, st->data, (size_t)st->data_len);
			emit(rn, IMS_SCN_EV_INFO, st->line, "CPU wrote %llu byte(s) at %s+0x%llx%s",
			     (unsigned long long)st->data_len, st->name,
			     (unsigned long long)st->size, b->mmapped ? " through the mmap" : "");
		} else {
			expect_bytes(rn, st, b->mmapped ? "CPU read through the mmap" : "CPU read",
				     data);
		}
		break;
	case IMS_SCN_DEV_WRITE:
		ret = dev_access(rn, st, dev, stmt_addr(rn, st), st->data, st->data_len, true);
		flush_klog(rn, st->line);
		if (ret == -EFAULT)
			ret = 0;
		break;
	case IMS_SCN_DEV_READ:
		data = calloc(1, (size_t)st->size);
		if (!data)
			return -ENOMEM;
		ret = dev_access(rn, st, dev, stmt_addr(rn, st), data, st->size, false);
		flush_klog(rn, st->line);
		if (!ret && st->data) {
			expect_bytes(rn, st, "device read", data);
		} else if (!ret) {
			char h[160];

			hex(h, sizeof(h), data, st->size);
			emit(rn, IMS_SCN_EV_INFO, st->line, "device read: %s", h);
		} else if (ret == -EFAULT && st->data) {
			emit(rn, IMS_SCN_EV_FAIL, st->line, "device read: the access faulted");
		}
		if (ret == -EFAULT)
			ret = 0;
		free(data);
		break;
	case IMS_SCN_EXPECT_FAULT:
		check_fault(rn, st);
		break;
	case IMS_SCN_EXPECT_LOG:
	case IMS_SCN_EXPECT_NOLOG: {
		bool found = ims_machine_klog_find(rn->m, st->value) >= 0;

		if (found == (st->op == IMS_SCN_EXPECT_LOG))
			emit(rn, IMS_SCN_EV_PASS, st->line, "kernel log %s \"%s\"",
			     found ? "has" : "has no", st->value);
		else
			emit(rn, IMS_SCN_EV_FAIL, st->line, "kernel log %s \"%s\"",
			     found ? "has" : "has no", st->value);
		break;
	}
	case IMS_SCN_EXPECT_OPS: {
		static const char *const ops[] = { "direct", "iommu", "dummy" };
		const char *got = (unsigned int)dev->dma_ops < 3 ? ops[dev->dma_ops] : "?";

		emit(rn, strcmp(got, st->value) ? IMS_SCN_EV_FAIL : IMS_SCN_EV_PASS, st->line,
		     "%s DMA ops: %s%s%s", st->name, got,
		     strcmp(got, st->value) ? ", expected " : "",
		     strcmp(got, st->value) ? st->value : "");
		break;
	}
	case IMS_SCN_EXPECT_LINT:
	case IMS_SCN_EXPECT_NOLINT:
		ret = check_lint(rn, st);
		break;
	default:
		break;
	}
	flush_klog(rn, st->line);
	return ret;
}

IMS_EXPORT int ims_scenario_run(struct ims_scenario *s, ims_scenario_event_fn fn, void *ctx,
				struct ims_scenario_result *result)
{
	struct runner *rn;
	int ret = 0;

	memset(result, 0, sizeof(*result));
	if (!s)
		return -EINVAL;
	rn = calloc(1, sizeof(*rn));
	if (!rn)
		return -ENOMEM;
	rn->s = s;
	rn->fn = fn;
	rn->ctx = ctx;
	rn->r = result;
	ims_machine_opts_init(&rn->mopts);
	rn->dopts.swiotlb_early = true; /* the pool is allocated at boot, as in Linux */
	for (int i = 0; i < s->nr_stmts && !ret; i++) {
		const struct ims_scenario_stmt *st = &s->stmts[i];

		emit(rn, IMS_SCN_EV_STMT, st->line, "%s", st->text);
		ret = do_stmt(rn, st);
		result->executed++;
		if (ret && !result->error) {
			result->error = ret;
			result->error_line = st->line;
		}
	}
	if (!ret)
		unexpected_fault(rn);
	for (int i = 0; i < rn->nr_bufs; i++)
		if (rn->bufs[i].live && rn->bufs[i].mmapped)
			ims_dma_munmap(&rn->bufs[i].vma);
	ims_machine_free(rn->m);
	free(rn->board);
	for (int i = 0; i < rn->nr_overlays; i++)
		free(rn->overlays[i]);
	free(rn);
	return ret;
}
