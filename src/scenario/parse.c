// SPDX-License-Identifier: MIT
/*
 * The scenario parser: one statement per line, '#' comments, tokens split at
 * blanks, "quoted strings" with \\, \", \n, \t and \xNN escapes.  Besides the
 * syntax it checks what is known before the machine runs: a board before
 * boot, a single boot, buffers used only while they exist, offsets and
 * lengths inside their buffer, sizes that do not overflow.  docs/run.md.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iommusim/lint.h>

#include "scenario/scenario-private.h"
#include "util/log.h"

#define MAX_TOKENS 24

static const char *const op_names[IMS_SCN_NR_OPS] = {
	[IMS_SCN_BOARD] = "board",
	[IMS_SCN_OVERLAY] = "overlay",
	[IMS_SCN_OPTION] = "option",
	[IMS_SCN_BOOT] = "boot",
	[IMS_SCN_BIND] = "bind",
	[IMS_SCN_UNBIND] = "unbind",
	[IMS_SCN_DMA_MASK] = "dma_mask",
	[IMS_SCN_DMA_ALLOC] = "dma_alloc",
	[IMS_SCN_DMA_FREE] = "dma_free",
	[IMS_SCN_MMAP] = "mmap",
	[IMS_SCN_MAP] = "map",
	[IMS_SCN_UNMAP] = "unmap",
	[IMS_SCN_SYNC] = "sync",
	[IMS_SCN_FQ_FLUSH] = "fq-flush",
	[IMS_SCN_CPU_WRITE] = "cpu write",
	[IMS_SCN_CPU_EXPECT] = "cpu expect",
	[IMS_SCN_DEV_WRITE] = "dev write",
	[IMS_SCN_DEV_READ] = "dev read",
	[IMS_SCN_EXPECT_FAULT] = "expect fault",
	[IMS_SCN_EXPECT_LOG] = "expect log",
	[IMS_SCN_EXPECT_NOLOG] = "expect no-log",
	[IMS_SCN_EXPECT_OPS] = "expect dma-ops",
	[IMS_SCN_EXPECT_LINT] = "expect lint",
	[IMS_SCN_EXPECT_NOLINT] = "expect no-lint",
};

IMS_EXPORT const char *ims_scenario_op_name(enum ims_scenario_op op)
{
	return (unsigned int)op < IMS_SCN_NR_OPS ? op_names[op] : "?";
}

/* One token: its text (unescaped for quoted ones) and whether it was quoted. */
struct tok {
	char *s;
	size_t len;
	bool quoted;
};

/* What the parser knows about a buffer while it reads the file. */
enum buf_kind { BUF_NONE = 0, BUF_COHERENT, BUF_STREAMING };

struct pbuf {
	char name[64];
	enum buf_kind kind;
	uint64_t size;
	bool live;
	bool mmapped;
};

struct parser {
	const char *file;
	int line;
	struct pbuf bufs[IMS_SCN_MAX_BUFS];
	int nr_bufs;
	bool have_board, booted;
};

#define perr(p, ...) ims_scn_perr(p, __VA_ARGS__)

static int ims_scn_perr(const struct parser *p, const char *fmt, ...) IMS_PRINTF(2, 3);
static int ims_scn_perr(const struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ims_error(-EINVAL, "%s:%d: %s", p->file, p->line, msg);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Split @line (modified in place) into tokens; a '#' outside quotes ends it.
 * Quoted tokens are unescaped in place.
 */
static int tokenize(struct parser *p, char *line, struct tok *toks, int *nr)
{
	char *c = line;

	*nr = 0;
	for (;;) {
		while (*c == ' ' || *c == '\t' || *c == '\r')
			c++;
		if (!*c || *c == '#')
			return 0;
		if (*nr == MAX_TOKENS)
			return perr(p, "too many words (at most %d)", MAX_TOKENS);
		if (*c == '"') {
			char *o = ++c, *start = c;

			for (;;) {
				if (!*c)
					return perr(p, "unterminated string");
				if (*c == '"')
					break;
				if (*c == '\\') {
					int h, l;

					c++;
					switch (*c) {
					case '\\':
						*o++ = '\\';
						break;
					case '"':
						*o++ = '"';
						break;
					case 'n':
						*o++ = '\n';
						break;
					case 't':
						*o++ = '\t';
						break;
					case '0':
						*o++ = '\0';
						break;
					case 'x':
						h = hexval(c[1]);
						l = h < 0 ? -1 : hexval(c[2]);
						if (l < 0)
							return perr(
								p,
								"bad \\x escape (two hex digits)");
						*o++ = (char)(h << 4 | l);
						c += 2;
						break;
					default:
						return perr(p, "unknown escape \\%c",
							    *c ? *c : '0');
					}
					c++;
					continue;
				}
				*o++ = *c++;
			}
			toks[*nr] = (struct tok){ start, (size_t)(o - start), true };
			c++; /* past the closing quote */
			if (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#')
				return perr(p, "junk after a closing quote");
			*o = '\0';
			(*nr)++;
			if (*c == '#')
				return 0;
			continue;
		}
		toks[*nr] = (struct tok){ c, 0, false };
		while (*c && *c != ' ' && *c != '\t' && *c != '\r' && *c != '#' && *c != '"')
			c++;
		toks[*nr].len = (size_t)(c - toks[*nr].s);
		if (*c == '"')
			return perr(p, "a quote inside a word");
		if (*c == '#') {
			*c = '\0';
			(*nr)++;
			return 0;
		}
		if (*c)
			*c++ = '\0';
		(*nr)++;
	}
}

/* A number: decimal or 0x hex, with an optional K, M or G suffix (x1024^n). */
static int parse_num(struct parser *p, const struct tok *t, const char *what, uint64_t *out)
{
	const char *s = t->s;
	uint64_t v = 0, mul = 1;
	int base = 10, digits = 0;
	size_t i = 0, n = t->len;

	if (t->quoted || !n)
		return perr(p, "%s: expected a number, got \"%s\"", what, s);
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (base == 10 && n > 1 && strchr("kKmMgG", s[n - 1])) {
		int e = strchr("kK", s[n - 1]) ? 10 : strchr("mM", s[n - 1]) ? 20 : 30;

		mul = 1ULL << e;
		n--;
	}
	for (; i < n; i++) {
		int d = hexval((unsigned char)s[i]);

		if (d < 0 || d >= base)
			return perr(p, "%s: \"%s\" is not a number", what, s);
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return perr(p, "%s: %s overflows 64 bits", what, s);
		v = v * (uint64_t)base + (uint64_t)d;
		digits++;
	}
	if (!digits)
		return perr(p, "%s: \"%s\" is not a number", what, s);
	if (mul > 1 && v > UINT64_MAX / mul)
		return perr(p, "%s: %s overflows 64 bits", what, s);
	*out = v * mul;
	return 0;
}

/* DATA: a "quoted string" (its bytes, no NUL) or 0x followed by hex byte pairs. */
static int parse_data(struct parser *p, const struct tok *t, struct ims_scenario_stmt *st)
{
	uint64_t n;

	if (t->quoted) {
		n = t->len;
		if (!n)
			return perr(p, "DATA: an empty string");
		st->data = malloc(n);
		if (!st->data)
			return -ENOMEM;
		memcpy(st->data, t->s, n);
	} else {
		if (t->len < 4 || t->s[0] != '0' || (t->s[1] != 'x' && t->s[1] != 'X') ||
		    (t->len - 2) % 2)
			return perr(
				p,
				"DATA: expected \"text\" or 0x and an even number of hex digits, "
				"got %s",
				t->s);
		n = (t->len - 2) / 2;
		st->data = malloc(n);
		if (!st->data)
			return -ENOMEM;
		for (uint64_t i = 0; i < n; i++) {
			int h = hexval((unsigned char)t->s[2 + 2 * i]);
			int l = hexval((unsigned char)t->s[3 + 2 * i]);

			if (h < 0 || l < 0)
				return perr(p, "DATA: \"%s\" is not hex", t->s);
			st->data[i] = (uint8_t)(h << 4 | l);
		}
	}
	if (n > IMS_SCN_MAX_DATA)
		return perr(p, "DATA: %llu bytes, at most %d", (unsigned long long)n,
			    IMS_SCN_MAX_DATA);
	st->data_len = n;
	return 0;
}

static bool valid_name(const struct tok *t)
{
	if (t->quoted || !t->len || t->len >= 64 ||
	    !(isalpha((unsigned char)t->s[0]) || t->s[0] == '_'))
		return false;
	for (size_t i = 0; i < t->len; i++)
		if (!isalnum((unsigned char)t->s[i]) && t->s[i] != '_' && t->s[i] != '-')
			return false;
	return true;
}

static struct pbuf *find_buf(struct parser *p, const char *name)
{
	for (int i = 0; i < p->nr_bufs; i++)
		if (!strcmp(p->bufs[i].name, name))
			return &p->bufs[i];
	return NULL;
}

/* A live buffer called @name, of @kind (BUF_NONE: either). */
static int use_buf(struct parser *p, const char *name, enum buf_kind kind, struct pbuf **out)
{
	struct pbuf *b = find_buf(p, name);

	if (!b)
		return perr(p, "buffer %s was never allocated (dma_alloc or map it first)", name);
	if (!b->live)
		return perr(p, "buffer %s was already %s", name,
			    b->kind == BUF_COHERENT ? "freed (dma_free)" : "unmapped");
	if (kind != BUF_NONE && b->kind != kind)
		return perr(p, "buffer %s is a %s buffer; this needs a %s one", name,
			    b->kind == BUF_COHERENT ? "coherent (dma_alloc)" : "streaming (map)",
			    kind == BUF_COHERENT ? "coherent (dma_alloc)" : "streaming (map)");
	*out = b;
	return 0;
}

static int new_buf(struct parser *p, const struct tok *t, enum buf_kind kind, uint64_t size)
{
	struct pbuf *b;

	if (!valid_name(t))
		return perr(p, "bad buffer name \"%s\" (a letter, then letters, digits, _ or -)",
			    t->s);
	b = find_buf(p, t->s);
	if (b && b->live)
		return perr(p, "buffer %s exists already", t->s);
	if (!b) {
		if (p->nr_bufs == IMS_SCN_MAX_BUFS)
			return perr(p, "too many buffers (at most %d)", IMS_SCN_MAX_BUFS);
		b = &p->bufs[p->nr_bufs++];
		snprintf(b->name, sizeof(b->name), "%s", t->s);
	}
	b->kind = kind;
	b->size = size;
	b->live = true;
	b->mmapped = false;
	return 0;
}

/* An address: a number, or NAME[+OFF] (the buffer's DMA address plus OFF). */
static int parse_addr(struct parser *p, struct tok *t, struct ims_scenario_stmt *st, uint64_t len)
{
	char *plus;
	struct pbuf *b;
	int ret;

	if (!t->quoted && t->len && isdigit((unsigned char)t->s[0]))
		return parse_num(p, t, "ADDR", &st->addr);
	plus = strchr(t->s, '+');
	st->addr = 0;
	if (plus) {
		struct tok off = { plus + 1, strlen(plus + 1), false };

		*plus = '\0';
		ret = parse_num(p, &off, "ADDR offset", &st->addr);
		if (ret)
			return ret;
	}
	ret = use_buf(p, t->s, BUF_NONE, &b);
	if (ret)
		return ret;
	/* Accesses past a buffer are allowed on purpose (faults), but not beyond 64 bits. */
	if (st->addr > UINT64_MAX - len)
		return perr(p, "ADDR: %s+0x%llx plus %llu bytes overflows", t->s,
			    (unsigned long long)st->addr, (unsigned long long)len);
	st->addr_buf = strdup(t->s);
	return st->addr_buf ? 0 : -ENOMEM;
}

static int dup_tok(char **out, const struct tok *t)
{
	*out = malloc(t->len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, t->s, t->len);
	(*out)[t->len] = '\0';
	return 0;
}

static int want(struct parser *p, int nr, int lo, int hi, const char *usage)
{
	if (nr < lo || nr > hi)
		return perr(p, "usage: %s", usage);
	return 0;
}

static int need_boot(struct parser *p, const char *what, bool booted)
{
	if (booted && !p->booted)
		return perr(p, "%s before boot", what);
	if (!booted && p->booted)
		return perr(p, "%s after boot", what);
	return 0;
}

static int parse_fault(struct parser *p, struct tok *tk, int nr, struct ims_scenario_stmt *st)
{
	static const struct {
		const char *name;
		uint32_t code;
	} events[] = {
		{ "C_BAD_STREAMID", 0x02 },    { "F_STE_FETCH", 0x03 },
		{ "C_BAD_STE", 0x04 },	       { "F_STREAM_DISABLED", 0x06 },
		{ "C_BAD_SUBSTREAMID", 0x08 }, { "F_CD_FETCH", 0x09 },
		{ "C_BAD_CD", 0x0a },	       { "F_WALK_EABT", 0x0b },
		{ "F_TRANSLATION", 0x10 },     { "F_ADDR_SIZE", 0x11 },
		{ "F_ACCESS", 0x12 },	       { "F_PERMISSION", 0x13 },
		{ "F_TLB_CONFLICT", 0x20 },    { "F_CFG_CONFLICT", 0x21 },
	};
	const char *usage = "expect fault DEV [event NAME|N] [context] [fsr N] [cb N] [sid N] "
			    "[addr ADDR]";
	int ret = want(p, nr, 3, MAX_TOKENS, usage);
	uint64_t v;

	if (ret)
		return ret;
	ret = dup_tok(&st->name, &tk[2]);
	for (int i = 3; !ret && i < nr; i++) {
		const char *k = tk[i].s;

		if (!strcmp(k, "context")) {
			st->fault_has |= IMS_SCN_FAULT_CONTEXT;
			continue;
		}
		if (i + 1 >= nr)
			return perr(p, "expect fault: %s needs a value", k);
		if (!strcmp(k, "event")) {
			const char *e = tk[++i].s;
			bool found = false;

			for (size_t j = 0; j < sizeof(events) / sizeof(events[0]); j++)
				if (!strcmp(events[j].name, e)) {
					st->event = events[j].code;
					found = true;
				}
			if (!found) {
				ret = parse_num(p, &tk[i], "event", &v);
				if (ret)
					return perr(p, "expect fault: unknown event %s", e);
				if (v > 0xff)
					return perr(p, "expect fault: event 0x%llx beyond 8 bits",
						    (unsigned long long)v);
				st->event = (uint32_t)v;
			}
			st->fault_has |= IMS_SCN_FAULT_EVENT;
		} else if (!strcmp(k, "sid") || !strcmp(k, "fsr") || !strcmp(k, "cb")) {
			ret = parse_num(p, &tk[++i], k, &v);
			if (!ret && v > UINT32_MAX)
				ret = perr(p, "%s 0x%llx beyond 32 bits", k, (unsigned long long)v);
			if (ret)
				return ret;
			if (k[0] == 's') {
				st->sid = (uint32_t)v;
				st->fault_has |= IMS_SCN_FAULT_SID;
			} else if (k[0] == 'f') {
				st->fsr = (uint32_t)v;
				st->fault_has |= IMS_SCN_FAULT_FSR;
			} else {
				if (v > 255)
					return perr(p, "cb %llu beyond 255", (unsigned long long)v);
				st->cb = (int)v;
				st->fault_has |= IMS_SCN_FAULT_CB;
			}
		} else if (!strcmp(k, "addr")) {
			ret = parse_addr(p, &tk[++i], st, 0);
			st->fault_addr = st->addr;
			st->fault_has |= IMS_SCN_FAULT_ADDR;
		} else {
			return perr(p, "expect fault: unknown field \"%s\" (%s)", k, usage);
		}
	}
	if (!ret && (st->fault_has & IMS_SCN_FAULT_EVENT) &&
	    (st->fault_has & (IMS_SCN_FAULT_CONTEXT | IMS_SCN_FAULT_FSR | IMS_SCN_FAULT_CB)))
		return perr(p,
			    "expect fault: event is SMMUv3, context/fsr/cb are MMU-500: not both");
	return ret;
}

/* expect lint|no-lint CHECK [severity error|warning|info] [node PATH] [device DEV] */
static int parse_lint(struct parser *p, struct tok *tk, int nr, struct ims_scenario_stmt *st)
{
	const char *usage = "expect lint|no-lint CHECK [severity error|warning|info] [node PATH] "
			    "[device DEV]";
	bool known = false;
	int ret = want(p, nr, 3, 9, usage);

	if (ret)
		return ret;
	for (int i = 0; ims_lint_checks[i]; i++)
		known |= !strcmp(ims_lint_checks[i], tk[2].s);
	if (!known)
		return perr(p, "expect %s: unknown check \"%s\" (iommusim lint's check names)",
			    tk[1].s, tk[2].s);
	ret = dup_tok(&st->name, &tk[2]);
	for (int i = 3; !ret && i < nr; i += 2) {
		const char *k = tk[i].s;

		if (i + 1 >= nr)
			return perr(p, "expect %s: %s needs a value", tk[1].s, k);
		if (!strcmp(k, "severity")) {
			st->size = 0;
			for (int sev = 0; sev < IMS_LINT_NR_SEVERITIES; sev++)
				if (!strcmp(ims_lint_severity_name((enum ims_lint_severity)sev),
					    tk[i + 1].s))
					st->size = (uint64_t)sev + 1;
			if (!st->size)
				return perr(p, "severity \"%s\": expected error, warning or info",
					    tk[i + 1].s);
		} else if (!strcmp(k, "node")) {
			free(st->value);
			ret = dup_tok(&st->value, &tk[i + 1]);
		} else if (!strcmp(k, "device")) {
			free(st->dev);
			ret = dup_tok(&st->dev, &tk[i + 1]);
		} else {
			return perr(p, "expect %s: unknown field \"%s\" (%s)", tk[1].s, k, usage);
		}
	}
	return ret;
}

static int parse_dir(struct parser *p, const struct tok *t, int *dir)
{
	static const char *const dirs[] = { "bidirectional", "to-device", "from-device" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(t->s, dirs[i])) {
			*dir = i;
			return 0;
		}
	return perr(p, "DIR: \"%s\": expected to-device, from-device or bidirectional", t->s);
}

/* Check @off + @len against buffer @b. */
static int in_buf(struct parser *p, const struct pbuf *b, uint64_t off, uint64_t len)
{
	if (off > b->size || len > b->size - off)
		return perr(p, "offset 0x%llx + %llu bytes lies outside buffer %s (%llu bytes)",
			    (unsigned long long)off, (unsigned long long)len, b->name,
			    (unsigned long long)b->size);
	return 0;
}

static int parse_line(struct parser *p, struct tok *tk, int nr, struct ims_scenario_stmt *st)
{
	const char *kw = tk[0].s;
	struct pbuf *b;
	int ret;

	if (tk[0].quoted)
		return perr(p, "a statement starts with a keyword, not a string");
	if (!strcmp(kw, "board") || !strcmp(kw, "overlay")) {
		st->op = kw[0] == 'b' ? IMS_SCN_BOARD : IMS_SCN_OVERLAY;
		ret = want(p, nr, 2, 2, kw[0] == 'b' ? "board PATH" : "overlay PATH");
		if (!ret)
			ret = need_boot(p, kw, false);
		if (!ret && st->op == IMS_SCN_BOARD && p->have_board)
			ret = perr(p, "a second board");
		if (!ret && st->op == IMS_SCN_OVERLAY && !p->have_board)
			ret = perr(p, "overlay before board");
		p->have_board = true;
		return ret ? ret : dup_tok(&st->name, &tk[1]);
	}
	if (!strcmp(kw, "option")) {
		char *eq;

		st->op = IMS_SCN_OPTION;
		ret = want(p, nr, 2, 2, "option KEY=VALUE");
		if (!ret)
			ret = need_boot(p, kw, false);
		if (ret)
			return ret;
		eq = strchr(tk[1].s, '=');
		if (!eq || eq == tk[1].s || !eq[1])
			return perr(p, "option: expected KEY=VALUE, got \"%s\"", tk[1].s);
		*eq = '\0';
		if (strcmp(tk[1].s, "iommu.strict") && strcmp(tk[1].s, "iommu.passthrough") &&
		    strcmp(tk[1].s, "iommu.forcedac") && strcmp(tk[1].s, "dma_debug") &&
		    strcmp(tk[1].s, "swiotlb"))
			return perr(p,
				    "option: unknown key %s (iommu.strict, iommu.passthrough, "
				    "iommu.forcedac, dma_debug, swiotlb)",
				    tk[1].s);
		if (!strncmp(tk[1].s, "iommu.", 6) && strcmp(eq + 1, "0") && strcmp(eq + 1, "1"))
			return perr(p, "option %s: expected 0 or 1, got %s", tk[1].s, eq + 1);
		if (!strcmp(tk[1].s, "dma_debug") && strcmp(eq + 1, "on") && strcmp(eq + 1, "off"))
			return perr(p, "option dma_debug: expected on or off, got %s", eq + 1);
		if (!strcmp(tk[1].s, "swiotlb") && strcmp(eq + 1, "force")) {
			struct tok v = { eq + 1, strlen(eq + 1), false };

			ret = parse_num(p, &v, "swiotlb", &st->size);
			if (ret)
				return ret;
		}
		st->name = strdup(tk[1].s);
		st->value = strdup(eq + 1);
		return st->name && st->value ? 0 : -ENOMEM;
	}
	if (!strcmp(kw, "boot")) {
		st->op = IMS_SCN_BOOT;
		ret = want(p, nr, 1, 1, "boot");
		if (!ret && p->booted)
			ret = perr(p, "a second boot");
		if (!ret && !p->have_board)
			ret = perr(p, "boot without a board");
		p->booted = true;
		return ret;
	}
	if (!strcmp(kw, "bind") || !strcmp(kw, "unbind") || !strcmp(kw, "fq-flush")) {
		st->op = kw[0] == 'b'	? IMS_SCN_BIND
			 : kw[0] == 'u' ? IMS_SCN_UNBIND
					: IMS_SCN_FQ_FLUSH;
		ret = want(p, nr, 2, 2,
			   st->op == IMS_SCN_BIND     ? "bind DEV"
			   : st->op == IMS_SCN_UNBIND ? "unbind DEV"
						      : "fq-flush DEV");
		if (!ret)
			ret = need_boot(p, kw, true);
		return ret ? ret : dup_tok(&st->name, &tk[1]);
	}
	if (!strcmp(kw, "dma_mask")) {
		st->op = IMS_SCN_DMA_MASK;
		ret = want(p, nr, 3, 3, "dma_mask DEV BITS");
		if (!ret)
			ret = need_boot(p, kw, true);
		if (!ret)
			ret = parse_num(p, &tk[2], "BITS", &st->size);
		if (!ret && (st->size < 1 || st->size > 64))
			ret = perr(p, "dma_mask: %llu bits, expected 1..64",
				   (unsigned long long)st->size);
		return ret ? ret : dup_tok(&st->name, &tk[1]);
	}
	if (!strcmp(kw, "dma_alloc") || !strcmp(kw, "map")) {
		bool alloc = kw[0] == 'd';

		st->op = alloc ? IMS_SCN_DMA_ALLOC : IMS_SCN_MAP;
		ret = alloc ? want(p, nr, 4, 4, "dma_alloc NAME DEV SIZE")
			    : want(p, nr, 5, 5,
				   "map NAME DEV SIZE to-device|from-device|bidirectional");
		if (!ret)
			ret = need_boot(p, kw, true);
		if (!ret)
			ret = parse_num(p, &tk[3], "SIZE", &st->size);
		if (!ret && (!st->size || st->size > (1ULL << 30)))
			ret = perr(p, "SIZE %s: expected 1 byte .. 1 GiB", tk[3].s);
		if (!ret && !alloc)
			ret = parse_dir(p, &tk[4], &st->dir);
		if (!ret)
			ret = new_buf(p, &tk[1], alloc ? BUF_COHERENT : BUF_STREAMING, st->size);
		if (!ret)
			ret = dup_tok(&st->name, &tk[1]);
		return ret ? ret : dup_tok(&st->dev, &tk[2]);
	}
	if (!strcmp(kw, "dma_free") || !strcmp(kw, "unmap") || !strcmp(kw, "mmap")) {
		st->op = kw[0] == 'd'	? IMS_SCN_DMA_FREE
			 : kw[0] == 'u' ? IMS_SCN_UNMAP
					: IMS_SCN_MMAP;
		ret = want(p, nr, 2, 2,
			   st->op == IMS_SCN_DMA_FREE ? "dma_free NAME"
			   : st->op == IMS_SCN_UNMAP  ? "unmap NAME"
						      : "mmap NAME");
		if (!ret)
			ret = use_buf(p, tk[1].s,
				      st->op == IMS_SCN_UNMAP ? BUF_STREAMING : BUF_COHERENT, &b);
		if (ret)
			return ret;
		if (st->op == IMS_SCN_MMAP) {
			if (b->mmapped)
				return perr(p, "buffer %s is mmapped already", b->name);
			b->mmapped = true;
		} else {
			b->live = false;
		}
		return dup_tok(&st->name, &tk[1]);
	}
	if (!strcmp(kw, "sync")) {
		st->op = IMS_SCN_SYNC;
		ret = want(p, nr, 3, 3, "sync NAME for-cpu|for-device");
		if (!ret)
			ret = use_buf(p, tk[1].s, BUF_STREAMING, &b);
		if (ret)
			return ret;
		if (strcmp(tk[2].s, "for-cpu") && strcmp(tk[2].s, "for-device"))
			return perr(p, "sync: \"%s\": expected for-cpu or for-device", tk[2].s);
		st->dir = !strcmp(tk[2].s, "for-cpu");
		return dup_tok(&st->name, &tk[1]);
	}
	if (!strcmp(kw, "cpu")) {
		if (nr < 2 || (strcmp(tk[1].s, "write") && strcmp(tk[1].s, "expect")))
			return perr(p, "usage: cpu write|expect NAME OFFSET DATA");
		st->op = tk[1].s[0] == 'w' ? IMS_SCN_CPU_WRITE : IMS_SCN_CPU_EXPECT;
		ret = want(p, nr, 5, 5, "cpu write|expect NAME OFFSET DATA");
		if (!ret)
			ret = use_buf(p, tk[2].s, BUF_NONE, &b);
		if (!ret)
			ret = parse_num(p, &tk[3], "OFFSET", &st->size);
		if (!ret)
			ret = parse_data(p, &tk[4], st);
		if (!ret)
			ret = in_buf(p, b, st->size, st->data_len);
		return ret ? ret : dup_tok(&st->name, &tk[2]);
	}
	if (!strcmp(kw, "dev")) {
		if (nr < 2 || (strcmp(tk[1].s, "write") && strcmp(tk[1].s, "read")))
			return perr(p, "usage: dev write DEV ADDR DATA | dev read DEV ADDR "
				       "(LEN | expect DATA)");
		if (tk[1].s[0] == 'w') {
			st->op = IMS_SCN_DEV_WRITE;
			ret = want(p, nr, 5, 5, "dev write DEV ADDR DATA");
			if (!ret)
				ret = need_boot(p, "dev write", true);
			if (!ret)
				ret = parse_data(p, &tk[4], st);
			if (!ret)
				ret = parse_addr(p, &tk[3], st, st->data_len);
		} else {
			st->op = IMS_SCN_DEV_READ;
			ret = want(p, nr, 5, 6, "dev read DEV ADDR (LEN | expect DATA)");
			if (!ret)
				ret = need_boot(p, "dev read", true);
			if (ret)
				return ret;
			if (nr == 6) {
				if (strcmp(tk[4].s, "expect"))
					return perr(p,
						    "usage: dev read DEV ADDR (LEN | expect DATA)");
				ret = parse_data(p, &tk[5], st);
				st->size = st->data_len;
			} else {
				ret = parse_num(p, &tk[4], "LEN", &st->size);
				if (!ret && (!st->size || st->size > IMS_SCN_MAX_DATA))
					ret = perr(p, "LEN %s: expected 1..%d", tk[4].s,
						   IMS_SCN_MAX_DATA);
			}
			if (!ret)
				ret = parse_addr(p, &tk[3], st, st->size);
		}
		return ret ? ret : dup_tok(&st->name, &tk[2]);
	}
	if (!strcmp(kw, "expect")) {
		if (nr < 2)
			return perr(p, "usage: expect fault|log|no-log|dma-ops ...");
		ret = need_boot(p, "expect", true);
		if (ret)
			return ret;
		if (!strcmp(tk[1].s, "fault")) {
			st->op = IMS_SCN_EXPECT_FAULT;
			return parse_fault(p, tk, nr, st);
		}
		if (!strcmp(tk[1].s, "log") || !strcmp(tk[1].s, "no-log")) {
			st->op = tk[1].s[0] == 'l' ? IMS_SCN_EXPECT_LOG : IMS_SCN_EXPECT_NOLOG;
			ret = want(p, nr, 3, 3, "expect log|no-log \"TEXT\"");
			if (!ret && (!tk[2].quoted || !tk[2].len || memchr(tk[2].s, 0, tk[2].len)))
				ret = perr(p,
					   "expect %s: the text must be a non-empty \"quoted "
					   "string\"",
					   tk[1].s);
			return ret ? ret : dup_tok(&st->value, &tk[2]);
		}
		if (!strcmp(tk[1].s, "dma-ops")) {
			st->op = IMS_SCN_EXPECT_OPS;
			ret = want(p, nr, 4, 4, "expect dma-ops DEV iommu|direct|dummy");
			if (!ret && strcmp(tk[3].s, "iommu") && strcmp(tk[3].s, "direct") &&
			    strcmp(tk[3].s, "dummy"))
				ret = perr(p,
					   "expect dma-ops: \"%s\": expected iommu, direct or "
					   "dummy",
					   tk[3].s);
			if (!ret)
				ret = dup_tok(&st->name, &tk[2]);
			return ret ? ret : dup_tok(&st->value, &tk[3]);
		}
		if (!strcmp(tk[1].s, "lint") || !strcmp(tk[1].s, "no-lint")) {
			st->op = tk[1].s[0] == 'l' ? IMS_SCN_EXPECT_LINT : IMS_SCN_EXPECT_NOLINT;
			return parse_lint(p, tk, nr, st);
		}
		return perr(p, "expect %s: expected fault, log, no-log, dma-ops, lint or no-lint",
			    tk[1].s);
	}
	return perr(p, "unknown statement \"%s\"", kw);
}

static void stmt_release(struct ims_scenario_stmt *st)
{
	free(st->text);
	free(st->name);
	free(st->dev);
	free(st->value);
	free(st->addr_buf);
	free(st->data);
}

IMS_EXPORT void ims_scenario_free(struct ims_scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->nr_stmts; i++)
		stmt_release(&s->stmts[i]);
	free(s->stmts);
	free(s->filename);
	free(s->base_dir);
	free(s);
}

static char *trimmed(const char *line, size_t len)
{
	char *t;

	while (len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	t = malloc(len + 1);
	if (t) {
		memcpy(t, line, len);
		t[len] = '\0';
	}
	return t;
}

IMS_EXPORT int ims_scenario_parse(struct ims_scenario **out, const char *filename,
				  const char *base_dir, const char *text)
{
	struct parser *p;
	struct ims_scenario *s;
	const char *c = text;
	int ret = 0;

	*out = NULL;
	if (!filename || !text)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	s = calloc(1, sizeof(*s));
	if (!p || !s) {
		free(p);
		free(s);
		return -ENOMEM;
	}
	p->file = filename;
	s->filename = strdup(filename);
	s->base_dir = strdup(base_dir ? base_dir : ".");
	s->stmts = calloc(IMS_SCN_MAX_STMTS, sizeof(*s->stmts));
	if (!s->filename || !s->base_dir || !s->stmts)
		ret = -ENOMEM;
	while (!ret && *c) {
		const char *eol = strchr(c, '\n');
		size_t len = eol ? (size_t)(eol - c) : strlen(c);
		struct tok toks[MAX_TOKENS];
		struct ims_scenario_stmt *st;
		char *buf;
		int nr;

		p->line++;
		buf = trimmed(c, len);
		c += len + (eol ? 1 : 0);
		if (!buf) {
			ret = -ENOMEM;
			break;
		}
		if (strlen(buf) > 4096) {
			free(buf);
			ret = perr(p, "a line longer than 4096 characters");
			break;
		}
		st = &s->stmts[s->nr_stmts];
		st->text = strdup(buf);
		ret = st->text ? tokenize(p, buf, toks, &nr) : -ENOMEM;
		if (!ret && nr) {
			if (s->nr_stmts == IMS_SCN_MAX_STMTS - 1)
				ret = perr(p, "too many statements (at most %d)",
					   IMS_SCN_MAX_STMTS - 1);
			else
				ret = parse_line(p, toks, nr, st);
			st->line = p->line;
			s->nr_stmts++;
		} else {
			free(st->text);
			st->text = NULL;
		}
		free(buf);
	}
	if (!ret && !p->booted)
		ret = perr(p, "no boot statement");
	free(p);
	if (ret) {
		ims_scenario_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

IMS_EXPORT int ims_scenario_load(struct ims_scenario **out, const char *path)
{
	char *text = NULL, *dir, *slash;
	size_t len = 0, cap = 0;
	FILE *f;
	int ret;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f)
		return ims_error(errno == ENOENT ? -ENOENT : -EIO, "%s: cannot open: %s", path,
				 strerror(errno));
	for (;;) {
		size_t n;

		if (len + 4097 > cap) {
			char *t;

			if (cap > (16u << 20)) {
				free(text);
				fclose(f);
				return ims_error(-EINVAL, "%s: larger than 16 MiB", path);
			}
			cap = cap ? cap * 2 : 8192;
			t = realloc(text, cap);
			if (!t) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = t;
		}
		n = fread(text + len, 1, 4096, f);
		len += n;
		if (n < 4096)
			break;
	}
	if (ferror(f)) {
		free(text);
		fclose(f);
		return ims_error(-EIO, "%s: read error", path);
	}
	fclose(f);
	text[len] = '\0';
	if (strlen(text) != len) {
		free(text);
		return ims_error(-EINVAL, "%s: a NUL byte in the file", path);
	}
	dir = strdup(path);
	if (!dir) {
		free(text);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	ret = ims_scenario_parse(out, path, slash ? (*dir ? dir : "/") : ".", text);
	free(dir);
	free(text);
	return ret;
}

IMS_EXPORT int ims_scenario_nr_stmts(const struct ims_scenario *s)
{
	return s ? s->nr_stmts : 0;
}

IMS_EXPORT const struct ims_scenario_stmt *ims_scenario_stmt(const struct ims_scenario *s, int idx)
{
	return s && idx >= 0 && idx < s->nr_stmts ? &s->stmts[idx] : NULL;
}
