// SPDX-License-Identifier: MIT
/*
 * The SMMU hardware of the board: one model per available node that the
 * arm-smmu-v3 or arm-smmu driver would match, mapped at its translated "reg",
 * configured from iommusim,* properties on the node (defaults per compatible:
 * QEMU 7.2 virt for "arm,smmu-v3", the MMU-500 preset for the arm-smmu
 * family), with its interrupt outputs wired to the driver core's router by
 * the node's "interrupts" / "interrupt-names" (docs/machine.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "machine/machine-private.h"
#include "util/compiler.h"
#include "util/log.h"

/* The arm-smmu driver's of_match table (drivers/iommu/arm/arm-smmu/arm-smmu.c). */
static const char *const smmu_v2_compat[] = {
	"arm,smmu-v1", "arm,smmu-v2", "arm,mmu-400", "arm,mmu-401", "arm,mmu-500",
};

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !strncasecmp(s + len - n, suffix, n);
}

IMS_EXPORT const char *ims_machine_smmu_compatible(const struct ims_of_tree *tree, int node,
						   enum ims_machine_smmu_kind *kind)
{
	const char *p;
	int len;

	if (!tree || node == IMS_OF_NONE)
		return NULL;
	p = ims_of_get_property(tree, node, "compatible", &len);
	for (int off = 0; p && off < len;) {
		const char *s = p + off;
		size_t n = strnlen(s, (size_t)(len - off));

		if (!strcasecmp(s, "arm,smmu-v3")) {
			if (kind)
				*kind = IMS_MACHINE_SMMUV3;
			return s;
		}
		for (size_t i = 0; i < ARRAY_SIZE(smmu_v2_compat); i++) {
			if (!strcasecmp(s, smmu_v2_compat[i]) || ends_with(s, n, "-smmu-500")) {
				if (kind)
					*kind = IMS_MACHINE_SMMUV2;
				return s;
			}
		}
		off += (int)n + 1;
	}
	return NULL;
}

/* ---- iommusim,* parameter properties ---------------------------------------- */

#define K_V3 0x1u
#define K_V2 0x2u

/* Every parameter property, and the models it applies to. */
static const struct {
	const char *name;
	unsigned int kinds;
} smmu_props[] = {
	{ "iommusim,sid-bits", K_V3 | K_V2 },
	{ "iommusim,ssid-bits", K_V3 },
	{ "iommusim,stages", K_V3 | K_V2 },
	{ "iommusim,oas", K_V3 | K_V2 },
	{ "iommusim,ias", K_V2 },
	{ "iommusim,granules", K_V3 | K_V2 },
	{ "iommusim,msi", K_V3 },
	{ "iommusim,ril", K_V3 },
	{ "iommusim,2lvl-strtab", K_V3 },
	{ "iommusim,2lvl-cd", K_V3 },
	{ "iommusim,asid16", K_V3 },
	{ "iommusim,vmid16", K_V3 | K_V2 },
	{ "iommusim,cmdq-bits", K_V3 },
	{ "iommusim,evtq-bits", K_V3 },
	{ "iommusim,num-smr", K_V2 },
	{ "iommusim,num-cb", K_V2 },
	{ "iommusim,num-s2cb", K_V2 },
	{ "iommusim,64k-pages", K_V2 },
};

struct pctx {
	struct ims_machine *m;
	int node;
	char path[256];
	const char *compat;
};

static int bad(const struct pctx *c, const char *prop, const char *fmt, ...) IMS_PRINTF(3, 4);

static int bad(const struct pctx *c, const char *prop, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return ims_error(-EINVAL, "%s: %s: property %s: %s", ims_of_tree_name(c->m->tree), c->path,
			 prop, what);
}

/* One cell in [lo, hi]; *@present says whether the property was there. */
static int prop_u32(const struct pctx *c, const char *prop, uint32_t lo, uint32_t hi, uint32_t *val,
		    bool *present)
{
	const uint8_t *p;
	int len;
	uint32_t v;

	*present = false;
	p = ims_of_get_property(c->m->tree, c->node, prop, &len);
	if (!p)
		return 0;
	if (len != 4)
		return bad(c, prop, "%d bytes: one cell expected", len);
	v = (uint32_t)ims_machine_read_cells(p, 1);
	if (v < lo || v > hi) {
		char what[96];

		snprintf(what, sizeof(what), "<%u> out of range %u..%u", v, lo, hi);
		return ims_error(-EINVAL, "%s: %s: property %s: %s", ims_of_tree_name(c->m->tree),
				 c->path, prop, what);
	}
	*val = v;
	*present = true;
	return 0;
}

/* A boolean: empty = true, or one cell 0 / 1. */
static int prop_bool(const struct pctx *c, const char *prop, bool *val)
{
	const uint8_t *p;
	int len;
	uint32_t v;

	p = ims_of_get_property(c->m->tree, c->node, prop, &len);
	if (!p)
		return 0;
	if (!len) {
		*val = true;
		return 0;
	}
	if (len != 4)
		return bad(c, prop, "%d bytes: empty or one cell <0> / <1> expected", len);
	v = (uint32_t)ims_machine_read_cells(p, 1);
	if (v > 1)
		return bad(c, prop, "<%u>: <0> or <1> expected", v);
	*val = v;
	return 0;
}

static int prop_address_size(const struct pctx *c, const char *prop, bool v3, uint8_t *bits)
{
	uint32_t v;
	bool present;
	int ret = prop_u32(c, prop, 0, 64, &v, &present);

	if (ret || !present)
		return ret;
	switch (v) {
	case 32:
	case 36:
	case 40:
	case 42:
	case 44:
	case 48:
		break;
	case 52:
		if (v3)
			break;
		/* fallthrough */
	default:
		return bad(c, prop, "<%u>: 32, 36, 40, 42, 44, 48%s bits expected", v,
			   v3 ? " or 52" : "");
	}
	*bits = (uint8_t)v;
	return 0;
}

/* iommusim,granules = <4096 65536 ...>. */
static int prop_granules(const struct pctx *c, bool *g4, bool *g16, bool *g64)
{
	const uint8_t *p;
	int len;

	p = ims_of_get_property(c->m->tree, c->node, "iommusim,granules", &len);
	if (!p)
		return 0;
	if (!len || len % 4)
		return bad(c, "iommusim,granules", "%d bytes: one or more cells expected", len);
	*g4 = *g16 = *g64 = false;
	for (int off = 0; off < len; off += 4) {
		uint32_t v = (uint32_t)ims_machine_read_cells(p + off, 1);

		if (v == 0x1000)
			*g4 = true;
		else if (v == 0x4000)
			*g16 = true;
		else if (v == 0x10000)
			*g64 = true;
		else
			return bad(c, "iommusim,granules", "<%u>: 4096, 16384 or 65536 expected",
				   v);
	}
	return 0;
}

/* Reject iommusim,* properties that are unknown or belong to the other model. */
static int check_prop_names(const struct pctx *c, unsigned int kind_bit)
{
	const void *blob = ims_of_tree_blob(c->m->tree, NULL);
	int prop, guard = 0;

	fdt_for_each_property_offset(prop, blob, c->node)
	{
		const char *name;
		bool known = false;

		if (++guard > 65536 || !fdt_getprop_by_offset(blob, prop, &name, NULL))
			break;
		if (strncmp(name, "iommusim,", 9))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(smmu_props); i++) {
			if (strcmp(name, smmu_props[i].name))
				continue;
			known = true;
			if (!(smmu_props[i].kinds & kind_bit))
				return ims_error(
					-EINVAL, "%s: %s: property %s does not apply to a %s SMMU",
					ims_of_tree_name(c->m->tree), c->path, name, c->compat);
		}
		if (!known)
			return ims_error(-EINVAL, "%s: %s: unknown SMMU parameter property %s",
					 ims_of_tree_name(c->m->tree), c->path, name);
	}
	return 0;
}

static int v3_params_from_node(const struct pctx *c, struct ims_smmuv3_params *p)
{
	uint32_t v;
	bool present;
	int ret;

	ims_smmuv3_params_qemu_virt(p);
	ret = check_prop_names(c, K_V3);
	if (!ret)
		ret = prop_u32(c, "iommusim,sid-bits", 0, 32, &v, &present);
	if (!ret && present)
		p->sidsize = (uint8_t)v;
	if (!ret)
		ret = prop_u32(c, "iommusim,ssid-bits", 0, 20, &v, &present);
	if (!ret && present)
		p->ssidsize = (uint8_t)v;
	if (!ret)
		ret = prop_u32(c, "iommusim,stages", 1, 3, &v, &present);
	if (!ret && present) {
		p->s1p = v & 1;
		p->s2p = v & 2;
	}
	if (!ret)
		ret = prop_address_size(c, "iommusim,oas", true, &p->oas);
	if (!ret)
		ret = prop_granules(c, &p->gran4k, &p->gran16k, &p->gran64k);
	if (!ret)
		ret = prop_bool(c, "iommusim,msi", &p->msi);
	if (!ret)
		ret = prop_bool(c, "iommusim,ril", &p->ril);
	if (!ret)
		ret = prop_bool(c, "iommusim,2lvl-strtab", &p->st_2lvl);
	if (!ret)
		ret = prop_bool(c, "iommusim,2lvl-cd", &p->cd2l);
	if (!ret)
		ret = prop_bool(c, "iommusim,asid16", &p->asid16);
	if (!ret)
		ret = prop_bool(c, "iommusim,vmid16", &p->vmid16);
	if (!ret)
		ret = prop_u32(c, "iommusim,cmdq-bits", 0, 19, &v, &present);
	if (!ret && present)
		p->cmdqs = (uint8_t)v;
	if (!ret)
		ret = prop_u32(c, "iommusim,evtq-bits", 0, 19, &v, &present);
	if (!ret && present)
		p->eventqs = (uint8_t)v;
	return ret;
}

/*
 * The register space is 2 x NUMPAGE pages, NUMPAGE a power of two (at least
 * 2) covering every context bank (IHI 0062 §8.1).  The MMU-500 preset's 16
 * banks need 128 KiB of 4K pages; an SMMU whose reg is smaller (the MMU-401s
 * of Arm's Juno have 64 KiB) gets, unless iommusim,num-cb says otherwise, as
 * many context banks as its register space holds.
 */
static void fit_v2_banks(struct ims_machine *m, const struct pctx *c, uint64_t reg_size,
			 struct ims_smmuv2_params *p)
{
	uint64_t page = p->pgsize_64k ? 0x10000 : 0x1000, max_pages = reg_size / (2 * page);
	unsigned int fit = 1;

	if (ims_of_get_property(m->tree, c->node, "iommusim,num-cb", NULL) || max_pages < 2)
		return;
	while ((uint64_t)fit * 2 <= max_pages && fit * 2 <= IMS_SMMUV2_MAX_CB)
		fit *= 2;
	if (p->num_cb <= fit)
		return;
	ims_info(&m->log, "iommusim: %s: %u context banks fit its 0x%llx-byte register space",
		 c->path, fit, (unsigned long long)reg_size);
	p->num_cb = fit;
	if (p->num_s2cb > fit)
		p->num_s2cb = fit;
	p->num_irpt = fit;
}

static int v2_params_from_node(const struct pctx *c, struct ims_smmuv2_params *p)
{
	uint32_t v, s2cb = 0;
	bool present, s2cb_given = false;
	uint8_t bits;
	int ret;

	ims_smmuv2_params_mmu500(p);
	ret = check_prop_names(c, K_V2);
	if (!ret)
		ret = prop_u32(c, "iommusim,sid-bits", 1, 15, &v, &present);
	if (!ret && present)
		p->sid_bits = v;
	if (!ret)
		ret = prop_u32(c, "iommusim,num-smr", 1, IMS_SMMUV2_MAX_SMRG, &v, &present);
	if (!ret && present)
		p->num_smrg = v;
	if (!ret)
		ret = prop_u32(c, "iommusim,num-cb", 1, IMS_SMMUV2_MAX_CB, &v, &present);
	if (!ret && present)
		p->num_cb = v;
	if (!ret)
		ret = prop_u32(c, "iommusim,num-s2cb", 0, p->num_cb, &s2cb, &s2cb_given);
	if (!ret)
		ret = prop_u32(c, "iommusim,stages", 1, 3, &v, &present);
	if (!ret && present) {
		p->s1ts = v & 1;
		p->s2ts = v & 2;
		p->nts = v == 3;
		/* A bank of a stage-2-only SMMU supports stage 2 only (sIDR1.NUMS2CB). */
		p->num_s2cb = v == 2 ? p->num_cb : 0;
	}
	if (!ret && s2cb_given)
		p->num_s2cb = s2cb;
	if (!ret && p->num_s2cb > p->num_cb)
		p->num_s2cb = p->num_cb;
	bits = (uint8_t)p->oas;
	if (!ret)
		ret = prop_address_size(c, "iommusim,oas", false, &bits);
	p->oas = bits;
	bits = (uint8_t)p->ias;
	if (!ret)
		ret = prop_address_size(c, "iommusim,ias", false, &bits);
	p->ias = bits;
	if (!ret)
		ret = prop_granules(c, &p->ptfs_4k, &p->ptfs_16k, &p->ptfs_64k);
	if (!ret)
		ret = prop_bool(c, "iommusim,vmid16", &p->vmid16);
	if (!ret)
		ret = prop_bool(c, "iommusim,64k-pages", &p->pgsize_64k);
	/* Every bank can raise its interrupt; the wiring decides where it goes. */
	p->num_irpt = p->num_cb;
	return ret;
}

/* ---- interrupts ---------------------------------------------------------- */

/* The interrupt parent of @node (interrupt-parent, searched upward). */
static int irq_parent(const struct ims_of_tree *t, int node)
{
	for (int n = node, guard = 0; n != IMS_OF_NONE && guard < IMS_OF_MAX_DEPTH + 1;
	     n = ims_of_get_parent(t, n), guard++) {
		const void *p;
		int len;

		p = ims_of_get_property(t, n, "interrupt-parent", &len);
		if (p && len == 4)
			return ims_of_find_node_by_phandle(t,
							   (uint32_t)ims_machine_read_cells(p, 1));
	}
	return IMS_OF_NONE;
}

/* How many interrupts @node lists (interrupts-extended, else interrupts). */
static int count_irqs(const struct ims_of_tree *t, int node)
{
	const uint8_t *p;
	uint32_t cells;
	int len, n = 0;

	p = ims_of_get_property(t, node, "interrupts-extended", &len);
	if (p) {
		for (int off = 0; off + 4 <= len && n < IMS_MAX_IRQS; n++) {
			int ctrl = ims_of_find_node_by_phandle(
				t, (uint32_t)ims_machine_read_cells(p + off, 1));

			if (ctrl == IMS_OF_NONE ||
			    ims_of_property_read_u32(t, ctrl, "#interrupt-cells", &cells) ||
			    cells > 16)
				break;
			off += 4 * (int)(cells + 1);
			if (off > len)
				break;
		}
		return n;
	}
	p = ims_of_get_property(t, node, "interrupts", &len);
	if (!p)
		return 0;
	if (ims_of_property_read_u32(t, irq_parent(t, node), "#interrupt-cells", &cells) || !cells)
		cells = 1;
	return len / (int)(4 * cells);
}

static void raise_line(struct ims_machine_smmu *s, int line)
{
	struct ims_machine *m = s->machine;

	__atomic_fetch_add(&s->raised, 1, __ATOMIC_RELAXED);
	if (line < 0 || line >= s->nr_lines || s->line_irq[line] < 0 || !m->dc)
		return;
	ims_raise_irq(m->dc, s->node, s->line_irq[line]);
}

static void v3_irq(void *opaque, enum ims_smmuv3_irq line)
{
	raise_line(opaque, (int)line);
}

static void v2_global_irq(void *cookie)
{
	raise_line(cookie, 0);
}

static void v2_context_irq(void *cookie, unsigned int cbndx)
{
	raise_line(cookie, 1 + (int)cbndx);
}

/* SMMUv3: by interrupt-names; "combined" carries every line. */
static void wire_v3(struct ims_machine_smmu *s)
{
	static const char *const names[] = {
		[IMS_SMMUV3_IRQ_EVTQ] = "eventq",
		[IMS_SMMUV3_IRQ_PRIQ] = "priq",
		[IMS_SMMUV3_IRQ_CMD_SYNC] = "cmdq-sync",
		[IMS_SMMUV3_IRQ_GERROR] = "gerror",
	};
	const struct ims_of_tree *t = s->machine->tree;
	int combined = ims_irq_index_byname(t, s->node, "combined");

	s->nr_lines = (int)ARRAY_SIZE(names);
	for (int i = 0; i < s->nr_lines; i++) {
		int idx = combined >= 0 ? combined : ims_irq_index_byname(t, s->node, names[i]);

		s->line_irq[i] = idx >= 0 ? idx : -1;
	}
}

/*
 * arm-smmu: the first #global-interrupts entries are global, then one per
 * context bank.  Banks beyond the listed context interrupts share the last
 * one, as when an SoC ORs them into one line (AP806 lists a single one).
 */
static void wire_v2(struct ims_machine_smmu *s)
{
	const struct ims_of_tree *t = s->machine->tree;
	int nr = count_irqs(t, s->node);
	uint32_t global = 1;

	if (ims_of_property_read_u32(t, s->node, "#global-interrupts", &global) || global > 64)
		global = 1;
	s->nr_lines = 1 + (int)s->v2_params.num_cb;
	s->line_irq[0] = nr > 0 ? 0 : -1;
	for (unsigned int n = 0; n < s->v2_params.num_cb; n++) {
		int idx = (int)(global + n);

		if (idx >= nr)
			idx = nr > (int)global ? nr - 1 : -1;
		s->line_irq[1 + n] = idx;
	}
}

/* ---- instances -------------------------------------------------------------- */

static int create_one(struct ims_machine *m, int node, const char *compat,
		      enum ims_machine_smmu_kind kind)
{
	struct ims_machine_smmu *s;
	struct pctx c = { m, node, "", compat };
	uint64_t base, size;
	char msg[512];
	int ret;

	ims_of_node_path(m->tree, node, c.path, sizeof(c.path));
	if (ims_of_get_address(m->tree, node, 0, &base, &size)) {
		ims_warn(&m->log, "iommusim: %s: no translatable reg: no SMMU model", c.path);
		return 0;
	}
	if (m->nr_smmus == IMS_MACHINE_MAX_SMMUS)
		return ims_error(-IMS_ELIMIT, "%s: %s: more than %d SMMUs",
				 ims_of_tree_name(m->tree), c.path, IMS_MACHINE_MAX_SMMUS);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->node = node;
	s->kind = kind;
	s->compatible = compat;
	s->base = base;
	s->reg_size = size;
	s->machine = m;
	for (int i = 0; i < IMS_MACHINE_SMMU_MAX_LINES; i++)
		s->line_irq[i] = -1;
	if (kind == IMS_MACHINE_SMMUV3) {
		ret = v3_params_from_node(&c, &s->v3_params);
		if (ret)
			goto err;
		s->v3_params.irq = v3_irq;
		s->v3_params.irq_opaque = s;
		ret = ims_smmuv3_new(&s->v3, m->mem, base, &s->v3_params, &m->log);
		if (!ret) {
			s->translator = ims_smmuv3_translator(s->v3);
			wire_v3(s);
		}
	} else {
		ret = v2_params_from_node(&c, &s->v2_params);
		if (ret)
			goto err;
		fit_v2_banks(m, &c, size, &s->v2_params);
		s->v2_params.base = base;
		s->v2_params.global_irq = v2_global_irq;
		s->v2_params.context_irq = v2_context_irq;
		s->v2_params.irq_cookie = s;
		ret = ims_smmuv2_new(&s->v2, m->mem, &s->v2_params, &m->log);
		if (!ret) {
			s->translator = ims_smmuv2_translator(s->v2);
			wire_v2(s);
		}
	}
	if (ret) {
		snprintf(msg, sizeof(msg), "%s", ims_last_error());
		ret = ims_error(ret, "%s: %s: %s model at 0x%llx: %s", ims_of_tree_name(m->tree),
				c.path, kind == IMS_MACHINE_SMMUV3 ? "SMMUv3" : "MMU-500",
				(unsigned long long)base, msg);
		goto err;
	}
	m->smmus[m->nr_smmus++] = s;
	return 0;
err:
	free(s);
	return ret;
}

int ims_machine_create_smmus(struct ims_machine *m)
{
	int nr = ims_of_nr_nodes(m->tree);

	for (int i = 0; i < nr; i++) {
		int node = ims_of_node_by_index(m->tree, i);
		enum ims_machine_smmu_kind kind;
		const char *compat = ims_machine_smmu_compatible(m->tree, node, &kind);
		int ret;

		if (!compat || !ims_of_device_is_available(m->tree, node))
			continue;
		ret = create_one(m, node, compat, kind);
		if (ret)
			return ret;
	}
	return 0;
}

void ims_machine_destroy_smmus(struct ims_machine *m)
{
	for (int i = 0; i < m->nr_smmus; i++) {
		ims_smmuv3_free(m->smmus[i]->v3);
		ims_smmuv2_free(m->smmus[i]->v2);
		free(m->smmus[i]);
	}
	m->nr_smmus = 0;
}
