// SPDX-License-Identifier: MIT
/* The scenario interpreter: outcomes, pending faults, errors and the event stream. */
#include <stdlib.h>
#include <string.h>

#include <iommusim/scenario.h>

#include "../tap.h"

#define QEMU                                                                                       \
	"board " BOARDS_DIR "/qemu-virt-smmuv3.dts\noverlay " TOPO_DIR "/qemu-virt-bridges.dtso\n"
#define ARMADA "board " BOARDS_DIR "/armada-8040.dts\noverlay " TOPO_DIR "/armada-8040-pcie.dtso\n"

struct rec {
	int nr[IMS_SCN_EV_ERROR + 1];
	char last_fail[512];
	char last_info[512];
	char last_fault[512];
	int fault_line;
};

static void on_event(void *ctx, const struct ims_scenario_event *ev)
{
	struct rec *r = ctx;

	r->nr[ev->kind]++;
	if (ev->kind == IMS_SCN_EV_FAIL)
		snprintf(r->last_fail, sizeof(r->last_fail), "%s", ev->text);
	if (ev->kind == IMS_SCN_EV_INFO)
		snprintf(r->last_info, sizeof(r->last_info), "%s", ev->text);
	if (ev->kind == IMS_SCN_EV_FAULT) {
		snprintf(r->last_fault, sizeof(r->last_fault), "%s", ev->text);
		r->fault_line = ev->line;
	}
}

static int run(const char *text, struct rec *r, struct ims_scenario_result *res)
{
	struct ims_scenario *s = NULL;
	int ret = ims_scenario_parse(&s, "t.scn", NULL, text);

	memset(r, 0, sizeof(*r));
	memset(res, 0, sizeof(*res));
	if (ret) {
		diag("parse: %s", ims_last_error());
		return ret;
	}
	ret = ims_scenario_run(s, on_event, r, res);
	ims_scenario_free(s);
	return ret;
}

int main(void)
{
	struct ims_scenario_result res;
	struct rec r;
	int ret;

	ret = run(QEMU "boot\ndma_alloc a 0000:01:00.0 4K\nmmap a\n"
		       "dev write 0000:01:00.0 a+0x10 \"xyz\"\ncpu expect a 0x10 \"xyz\"\n"
		       "cpu write a 0 0x0102\ndev read 0000:01:00.0 a expect 0x0102\n",
		  &r, &res);
	is_int(ret, 0, "a coherent round trip runs");
	is_int(res.passed, 2, "both data expectations hold");
	is_int(res.failed, 0, "none fails");
	is_int(res.executed, 9, "every statement ran");
	is_int(r.nr[IMS_SCN_EV_STMT], 9, "one stmt event per statement");
	ok(r.nr[IMS_SCN_EV_KLOG] > 20, "the boot's kernel log is reported (%d lines)",
	   r.nr[IMS_SCN_EV_KLOG]);

	ret = run(QEMU "boot\ndma_alloc a 0000:01:00.0 4K\ndev write 0000:01:00.0 a \"abc\"\n"
		       "dev read 0000:01:00.0 a expect \"abd\"\n",
		  &r, &res);
	is_int(ret, 0, "a failed expectation does not stop the run");
	is_int(res.failed, 1, "the wrong data is one failure");
	ok(strstr(r.last_fail, "got 61 62 63, expected 61 62 64") != NULL, "it shows both: %s",
	   r.last_fail);

	/* The pending fault: consumed by expect fault, or a failure. */
	ret = run(QEMU "boot\ndev write 0000:01:00.0 0x1000 \"x\"\n"
		       "expect fault 0000:01:00.0 event F_TRANSLATION sid 0x100 addr 0x1000\n",
		  &r, &res);
	is_int(ret, 0, "fault scenario runs");
	is_int(res.passed, 1, "the expected fault matches");
	is_int(res.failed, 0, "and is consumed");
	is_int(r.fault_line, 4, "the fault is reported on the access's line");
	ret = run(QEMU "boot\ndev write 0000:01:00.0 0x1800 \"x\"\n", &r, &res);
	is_int(res.failed, 1, "a fault nobody expected fails at the end");
	ok(strstr(r.last_fail, "unexpected fault of 0000:01:00.0 (line 4)") != NULL, "%s",
	   r.last_fail);
	ok(strstr(r.last_fault, "addr 0x1800") != NULL, "the fault address is the access's: %s",
	   r.last_fault);
	ret = run(QEMU "boot\ndma_alloc a 0000:01:00.0 4K\n"
		       "dev write 0000:01:00.0 a+0xff8 0x00112233445566778899aabbccddeeff\n"
		       "expect fault 0000:01:00.0 addr 0x100000000\ncpu expect a 0xff8 "
		       "0x0011223344556677\n",
		  &r, &res);
	is_int(res.passed, 2,
	       "split at 4 KiB: the first chunk lands, the second faults at its start");
	is_int(res.failed, 0, "(%s)", r.last_fail);
	ret = run(QEMU "boot\ndev write 0000:01:00.0 0x1000 \"x\"\n"
		       "expect fault 0000:01:00.0 event F_PERMISSION sid 0x101 addr 0x2000\n",
		  &r, &res);
	is_int(res.failed, 1, "a mismatching expect fault fails");
	ok(strstr(r.last_fail, "expected event 0x13 sid 0x101 addr 0x2000") != NULL,
	   "it names every field that differs: %s", r.last_fail);
	ret = run(QEMU "boot\ndma_alloc a 0000:01:00.0 4K\nexpect fault 0000:01:00.0\n", &r, &res);
	is_int(res.failed, 1, "expect fault without a fault fails");
	ret = run(QEMU "boot\ndev write 0000:01:00.0 0x1000 \"x\"\ndev write 0000:01:00.0 0x1000 "
		       "\"x\"\nexpect fault 0000:01:00.0\n",
		  &r, &res);
	is_int(res.failed, 1, "a second access with a fault pending: the first is unexpected");
	is_int(res.passed, 1, "the second is consumed");

	/* MMU-500 context fault fields. */
	ret = run(ARMADA "boot\ndev write 0000:05:01.0 0x10000000 \"x\"\n"
			 "expect fault 0000:05:01.0 context fsr 0x2 sid 0x4a0 addr 0x10000000\n"
			 "expect log \"Unhandled context fault\"\nexpect no-log \"event 0x10\"\n",
		  &r, &res);
	is_int(res.passed, 3, "MMU-500: context, fsr, sid, addr and the log hold");
	ret = run(ARMADA "boot\ndev write 0000:05:01.0 0x10000000 \"x\"\n"
			 "expect fault 0000:05:01.0 event F_TRANSLATION\n",
		  &r, &res);
	is_int(res.failed, 1, "an SMMUv3 event does not match an MMU-500 fault");

	/* dma-ops, log. */
	ret = run(QEMU "option iommu.passthrough=1\nboot\nexpect dma-ops 0000:01:00.0 direct\n"
		       "expect dma-ops 0000:02:03.0 iommu\nexpect log \"Passthrough\"\n",
		  &r, &res);
	is_int(res.passed, 2, "passthrough: direct ops and the log line");
	is_int(res.failed, 1, "expect dma-ops iommu fails on dma-direct");

	/* Errors that stop the run. */
	ret = run(QEMU "boot\ndma_alloc a 0000:09:00.0 4K\ncpu write a 0 \"x\"\n", &r, &res);
	is_int(ret, -ENODEV, "an unknown device stops the run");
	is_int(res.error_line, 4, "on its line");
	is_int(res.executed, 4, "nothing after it runs");
	is_int(r.nr[IMS_SCN_EV_ERROR], 1, "one error event");
	ok(strstr(ims_last_error(), "t.scn:4: unknown device 0000:09:00.0") != NULL, "%s",
	   ims_last_error());
	ret = run("board /nonexistent.dts\nboot\n", &r, &res);
	ok(ret < 0 && res.error_line == 2, "a board that does not load fails the boot (%d)", ret);
	ret = run(QEMU "boot\nfq-flush 70000000.nodev\n", &r, &res);
	is_int(ret, -ENODEV, "fq-flush of an unknown device");
	ret = run(QEMU "boot\nunbind 0000:01:00.0\nunbind 0000:01:00.0\n", &r, &res);
	is_int(ret, -ENODEV, "unbind without a driver stops the run");
	is_int(res.error_line, 5, "on the second unbind");

	/* Lint findings on the running machine. */
	ret = run(QEMU "boot\nexpect lint alias-collision severity error device 0000:02:03.0\n"
		       "expect no-lint alias-collision device 0000:01:00.0\n"
		       "expect lint sid-collision\n",
		  &r, &res);
	is_int(ret, 0, "lint expectations run");
	is_int(res.passed, 2, "the alias collision of 02:03.0 is found, none for 01:00.0");
	is_int(res.failed, 1, "a check with no finding fails expect lint");
	ok(strstr(r.last_fail, "no sid-collision finding") != NULL, "%s", r.last_fail);

	/* Lazy unmap: the stale IOTLB entry works until fq-flush. */
	ret = run(QEMU "option iommu.strict=0\nboot\nmap t 0000:01:00.0 4K bidirectional\n"
		       "dev write 0000:01:00.0 t \"q\"\nunmap t\n"
		       "dev read 0000:01:00.0 0xfffff000 expect \"q\"\nfq-flush 0000:01:00.0\n"
		       "dev read 0000:01:00.0 0xfffff000 1\nexpect fault 0000:01:00.0 event "
		       "F_TRANSLATION\n",
		  &r, &res);
	is_int(res.passed, 2, "lazy: the stale read works, the read after fq-flush faults");
	is_int(res.failed, 0, "lazy: no failure");
	return tap_done();
}
