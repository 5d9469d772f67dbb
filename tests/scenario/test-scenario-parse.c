// SPDX-License-Identifier: MIT
/* The scenario parser: every statement, and every syntax error with file:line. */
#include <string.h>

#include <iommusim/lint.h>
#include <iommusim/scenario.h>

#include "../tap.h"

#define HEAD "board b.dts\nboot\n"

static struct ims_scenario *parse_ok(const char *text)
{
	struct ims_scenario *s = NULL;
	int ret = ims_scenario_parse(&s, "t.scn", "/base", text);

	if (ret)
		diag("parse failed: %s", ims_last_error());
	return s;
}

/* The last statement of HEAD + @body. */
static const struct ims_scenario_stmt *last(struct ims_scenario **s, const char *body)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), HEAD "dma_alloc a dev0 4K\nmap m dev0 64 to-device\n%s\n", body);
	*s = parse_ok(buf);
	return *s ? ims_scenario_stmt(*s, ims_scenario_nr_stmts(*s) - 1) : NULL;
}

static void test_statements(void)
{
	struct ims_scenario *s;
	const struct ims_scenario_stmt *st;

	s = parse_ok("# comment\n\n  board ../b.dts   # trailing\noverlay o.dtso\n"
		     "option iommu.strict=0\noption iommu.passthrough=1\noption dma_debug=on\n"
		     "option swiotlb=force\noption swiotlb=4M\noption iommu.forcedac=1\nboot\n");
	ok(s != NULL, "a preamble parses");
	if (s) {
		is_int(ims_scenario_nr_stmts(s), 9, "comments and blank lines are not statements");
		st = ims_scenario_stmt(s, 0);
		is_int(st->op, IMS_SCN_BOARD, "board");
		is_int(st->line, 3, "board is on line 3");
		is_str(st->name, "../b.dts", "board path");
		is_str(st->text, "board ../b.dts   # trailing", "the text is kept, trimmed");
		is_int(ims_scenario_stmt(s, 1)->op, IMS_SCN_OVERLAY, "overlay");
		st = ims_scenario_stmt(s, 2);
		is_int(st->op, IMS_SCN_OPTION, "option");
		is_str(st->name, "iommu.strict", "option key");
		is_str(st->value, "0", "option value");
		is_int((int)ims_scenario_stmt(s, 6)->size, 4 << 20, "swiotlb=4M is 4 MiB");
		is_int(ims_scenario_stmt(s, 8)->op, IMS_SCN_BOOT, "boot");
		ims_scenario_free(s);
	}

	st = last(&s, "bind 0000:00:01.0");
	ok(st && st->op == IMS_SCN_BIND && !strcmp(st->name, "0000:00:01.0"), "bind DEV");
	ims_scenario_free(s);
	st = last(&s, "unbind dev0");
	ok(st && st->op == IMS_SCN_UNBIND, "unbind DEV");
	ims_scenario_free(s);
	st = last(&s, "fq-flush dev0");
	ok(st && st->op == IMS_SCN_FQ_FLUSH, "fq-flush DEV");
	ims_scenario_free(s);
	st = last(&s, "dma_mask dev0 28");
	ok(st && st->op == IMS_SCN_DMA_MASK && st->size == 28, "dma_mask DEV BITS");
	ims_scenario_free(s);
	st = last(&s, "dma_alloc b dev1 0x3000");
	ok(st && st->op == IMS_SCN_DMA_ALLOC && st->size == 0x3000 && !strcmp(st->dev, "dev1") &&
		   !strcmp(st->name, "b"),
	   "dma_alloc NAME DEV SIZE");
	ims_scenario_free(s);
	st = last(&s, "map n dev0 1M bidirectional");
	ok(st && st->op == IMS_SCN_MAP && st->size == (1u << 20) && st->dir == 0,
	   "map ... bidirectional");
	ims_scenario_free(s);
	st = last(&s, "map n dev0 1 from-device");
	ok(st && st->dir == 2, "map ... from-device");
	ims_scenario_free(s);
	st = last(&s, "mmap a");
	ok(st && st->op == IMS_SCN_MMAP, "mmap NAME");
	ims_scenario_free(s);
	st = last(&s, "dma_free a");
	ok(st && st->op == IMS_SCN_DMA_FREE, "dma_free NAME");
	ims_scenario_free(s);
	st = last(&s, "unmap m");
	ok(st && st->op == IMS_SCN_UNMAP, "unmap NAME");
	ims_scenario_free(s);
	st = last(&s, "sync m for-cpu");
	ok(st && st->op == IMS_SCN_SYNC && st->dir == 1, "sync NAME for-cpu");
	ims_scenario_free(s);
	st = last(&s, "sync m for-device");
	ok(st && st->dir == 0, "sync NAME for-device");
	ims_scenario_free(s);
	st = last(&s, "cpu write a 16 \"a\\x41\\n\\\"\\\\\"");
	ok(st && st->op == IMS_SCN_CPU_WRITE && st->size == 16 && st->data_len == 5 &&
		   !memcmp(st->data, "aA\n\"\\", 5),
	   "cpu write NAME OFFSET \"DATA\" with escapes");
	ims_scenario_free(s);
	st = last(&s, "cpu expect a 0 0xdeadBEEF");
	ok(st && st->op == IMS_SCN_CPU_EXPECT && st->data_len == 4 && st->data[0] == 0xde &&
		   st->data[3] == 0xef,
	   "cpu expect NAME OFFSET 0xHEX (bytes in order)");
	ims_scenario_free(s);
	st = last(&s, "dev write dev0 0x1000 \"x\"");
	ok(st && st->op == IMS_SCN_DEV_WRITE && st->addr == 0x1000 && !st->addr_buf,
	   "dev write DEV ADDR DATA");
	ims_scenario_free(s);
	st = last(&s, "dev write dev0 a+0x10 \"x\"");
	ok(st && st->addr == 0x10 && st->addr_buf && !strcmp(st->addr_buf, "a"),
	   "dev write DEV NAME+OFF DATA");
	ims_scenario_free(s);
	st = last(&s, "dev read dev0 m 32");
	ok(st && st->op == IMS_SCN_DEV_READ && st->size == 32 && !st->data,
	   "dev read DEV NAME LEN");
	ims_scenario_free(s);
	st = last(&s, "dev read dev0 m expect \"abc\"");
	ok(st && st->size == 3 && st->data_len == 3, "dev read DEV NAME expect DATA");
	ims_scenario_free(s);
	st = last(&s, "expect fault dev0 event F_TRANSLATION sid 0xf8 addr 0x1000");
	ok(st && st->op == IMS_SCN_EXPECT_FAULT && st->event == 0x10 && st->sid == 0xf8 &&
		   st->fault_addr == 0x1000 &&
		   st->fault_has == (IMS_SCN_FAULT_EVENT | IMS_SCN_FAULT_SID | IMS_SCN_FAULT_ADDR),
	   "expect fault DEV event NAME sid addr");
	ims_scenario_free(s);
	st = last(&s, "expect fault dev0 event 0x13");
	ok(st && st->event == 0x13, "expect fault DEV event NUMBER");
	ims_scenario_free(s);
	st = last(&s, "expect fault dev0 context fsr 0x2 cb 5 addr a+8");
	ok(st && st->fsr == 2 && st->cb == 5 && st->addr_buf && st->fault_addr == 8 &&
		   (st->fault_has & IMS_SCN_FAULT_CONTEXT),
	   "expect fault DEV context fsr cb addr NAME+OFF");
	ims_scenario_free(s);
	st = last(&s, "expect log \"Unhandled context fault\"");
	ok(st && st->op == IMS_SCN_EXPECT_LOG && !strcmp(st->value, "Unhandled context fault"),
	   "expect log TEXT");
	ims_scenario_free(s);
	st = last(&s, "expect no-log \"x\"");
	ok(st && st->op == IMS_SCN_EXPECT_NOLOG, "expect no-log TEXT");
	ims_scenario_free(s);
	st = last(&s, "expect dma-ops dev0 iommu");
	ok(st && st->op == IMS_SCN_EXPECT_OPS && !strcmp(st->value, "iommu"), "expect dma-ops");
	ims_scenario_free(s);
	st = last(&s,
		  "expect lint alias-collision severity error node /pcie@1 device 0000:02:03.0");
	ok(st && st->op == IMS_SCN_EXPECT_LINT && !strcmp(st->name, "alias-collision") &&
		   st->size == IMS_LINT_ERROR + 1 && !strcmp(st->value, "/pcie@1") &&
		   !strcmp(st->dev, "0000:02:03.0"),
	   "expect lint CHECK severity node device");
	ims_scenario_free(s);
	st = last(&s, "expect no-lint rid-unmapped");
	ok(st && st->op == IMS_SCN_EXPECT_NOLINT && !st->size && !st->value && !st->dev,
	   "expect no-lint CHECK");
	ims_scenario_free(s);
	is_str(ims_scenario_op_name(IMS_SCN_EXPECT_FAULT), "expect fault", "op names");
}

/* @text must fail with "t.scn:LINE: ..." containing @needle. */
static void bad(const char *text, int line, const char *needle)
{
	struct ims_scenario *s = NULL;
	char want[32];
	int ret = ims_scenario_parse(&s, "t.scn", NULL, text);

	snprintf(want, sizeof(want), "t.scn:%d: ", line);
	is_int(ret, -EINVAL, "rejected: %s", needle);
	ok(!strncmp(ims_last_error(), want, strlen(want)) && strstr(ims_last_error(), needle),
	   "message \"%s\" names line %d and says \"%s\"", ims_last_error(), line, needle);
	ok(s == NULL, "no scenario on error");
}

static void test_errors(void)
{
	bad("board b\nboot\nfrobnicate x\n", 3, "unknown statement \"frobnicate\"");
	bad("boot\n", 1, "boot without a board");
	bad("board b\n", 1, "no boot statement");
	bad("board b\nboot\nboot\n", 3, "a second boot");
	bad("board b\nboard c\nboot\n", 2, "a second board");
	bad("overlay o\nboard b\nboot\n", 1, "overlay before board");
	bad("board b\nboot\noverlay o\n", 3, "overlay after boot");
	bad("board b\nboot\noption iommu.strict=1\n", 3, "option after boot");
	bad("board b\noption iommu.strict=2\nboot\n", 2, "expected 0 or 1");
	bad("board b\noption foo=1\nboot\n", 2, "unknown key foo");
	bad("board b\noption iommu.strict\nboot\n", 2, "expected KEY=VALUE");
	bad("board b\noption swiotlb=lots\nboot\n", 2, "is not a number");
	bad("board b\noption dma_debug=1\nboot\n", 2, "expected on or off");
	bad("board b\nmap m d 4K to-device\nboot\n", 2, "map before boot");
	bad("board b\nboot\nmmap x\n", 3, "buffer x was never allocated");
	bad("board b\nboot\ndma_alloc a d 4K\ndma_free a\nmmap a\n", 5, "already freed");
	bad("board b\nboot\nmap m d 4K to-device\nunmap m\nsync m for-cpu\n", 5,
	    "already unmapped");
	bad("board b\nboot\nmap m d 4K to-device\nmmap m\n", 4, "needs a coherent");
	bad("board b\nboot\ndma_alloc a d 4K\nunmap a\n", 4, "needs a streaming");
	bad("board b\nboot\ndma_alloc a d 4K\nmmap a\nmmap a\n", 5, "mmapped already");
	bad("board b\nboot\ndma_alloc a d 4K\ndma_alloc a d 4K\n", 4, "exists already");
	bad("board b\nboot\ndma_alloc 9a d 4K\n", 3, "bad buffer name");
	bad("board b\nboot\ndma_alloc a d 0\n", 3, "expected 1 byte .. 1 GiB");
	bad("board b\nboot\ndma_alloc a d 2G\n", 3, "expected 1 byte .. 1 GiB");
	bad("board b\nboot\ndma_alloc a d 0x10000000000000000\n", 3, "overflows 64 bits");
	bad("board b\nboot\ndma_alloc a d 99999999999999999999\n", 3, "overflows 64 bits");
	bad("board b\nboot\ndma_alloc a d 17179869184G\n", 3, "overflows 64 bits");
	bad("board b\nboot\ndma_alloc a d 4x\n", 3, "is not a number");
	bad("board b\nboot\ndma_alloc a d\n", 3, "usage: dma_alloc NAME DEV SIZE");
	bad("board b\nboot\nmap m d 4K sideways\n", 3, "expected to-device");
	bad("board b\nboot\nmap m d 4K to-device\nsync m later\n", 4, "expected for-cpu");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 4090 \"0123456789\"\n", 4,
	    "lies outside buffer a");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0xffffffffffffffff \"0\"\n", 4,
	    "lies outside buffer a");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 0xabc\n", 4, "even number of hex");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 0xzz\n", 4, "is not hex");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 \"\"\n", 4, "an empty string");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 \"abc\n", 4, "unterminated string");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 \"a\\q\"\n", 4, "unknown escape");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 \"a\\x4\"\n", 4, "bad \\x escape");
	bad("board b\nboot\ndma_alloc a d 4K\ncpu write a 0 \"a\"b\n", 4, "junk after a closing");
	bad("board b\nboot\ncpu poke a 0 \"a\"\n", 3, "usage: cpu write|expect");
	bad("board b\nboot\ndev write d 0x1000\n", 3, "usage: dev write DEV ADDR DATA");
	bad("board b\nboot\ndev read d 0x1000 0\n", 3, "LEN 0");
	bad("board b\nboot\ndev read d 0x1000 with \"x\"\n", 3, "usage: dev read");
	bad("board b\nboot\ndev write d nobuf \"x\"\n", 3, "buffer nobuf was never allocated");
	bad("board b\nboot\ndma_alloc a d 4K\ndev write d a+0xfffffffffffffffe \"xyz\"\n", 4,
	    "overflows");
	bad("board b\nboot\ndev swim d 0 1\n", 3, "usage: dev write");
	bad("board b\nboot\nexpect fault d event F_BOGUS\n", 3, "unknown event F_BOGUS");
	bad("board b\nboot\nexpect fault d colour red\n", 3, "unknown field \"colour\"");
	bad("board b\nboot\nexpect fault d sid\n", 3, "sid needs a value");
	bad("board b\nboot\nexpect fault d sid 0x100000000\n", 3, "beyond 32 bits");
	bad("board b\nboot\nexpect fault d event F_TRANSLATION context\n", 3, "not both");
	bad("board b\nboot\nexpect log unquoted\n", 3, "quoted string");
	bad("board b\nboot\nexpect dma-ops d magic\n", 3, "expected iommu, direct or dummy");
	bad("board b\nboot\nexpect lint no-such-check\n", 3, "unknown check \"no-such-check\"");
	bad("board b\nboot\nexpect lint sid-collision severity fatal\n", 3,
	    "expected error, warning");
	bad("board b\nboot\nexpect lint sid-collision node\n", 3, "node needs a value");
	bad("board b\nboot\nexpect no-lint sid-collision colour red\n", 3, "unknown field");
	bad("board b\nboot\nexpect weather\n", 3, "expected fault, log");
	bad("board b\nexpect log \"x\"\nboot\n", 2, "expect before boot");
	bad("board b\nboot\nbind\n", 3, "usage: bind DEV");
	bad("board b\nboot\ndma_mask d 65\n", 3, "expected 1..64");
	bad("board b\nboot\n\"board\"\n", 3, "not a string");
}

int main(void)
{
	struct ims_scenario *s = NULL;

	test_statements();
	test_errors();
	is_int(ims_scenario_load(&s, "/nonexistent/x.scn"), -ENOENT, "a missing file: -ENOENT");
	ok(strstr(ims_last_error(), "/nonexistent/x.scn") != NULL, "the message names the file");
	return tap_done();
}
