# Thin wrapper over meson.  `make demo` and `make test` each do the whole
# setup on a fresh Debian 12 machine (installing missing packages), then run.
BUILD ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
# The suites whose code runs in several threads at once (IOTLB seqlocks, the
# SMMU models under concurrent translation, IOVA magazines, page-table
# installs, the DMA API from many threads).
TSAN_SUITES ?= vmsa smmuv3 smmuv2 iova pgtable iommu drivers dma
MESON_TEST_ARGS ?= --print-errorlogs

.PHONY: all deps build demo test asan-test tsan-test valgrind-test format-check install clean

all: build

deps:
	@sh scripts/ensure-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

demo: build
	$(BUILD)/tools/iommusim demo

test: build
	meson test -C $(BUILD) $(MESON_TEST_ARGS)

# ASan + UBSan, every runtime error fatal.
$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all

asan-test: deps $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		meson test -C $(ASAN_BUILD) $(MESON_TEST_ARGS)

# ThreadSanitizer over the concurrent suites; any report fails the test.
$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) -Db_sanitize=thread -Db_lundef=false

tsan-test: deps $(TSAN_BUILD)/build.ninja
	meson compile -C $(TSAN_BUILD)
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 \
		meson test -C $(TSAN_BUILD) $(addprefix --suite ,$(TSAN_SUITES)) $(MESON_TEST_ARGS)

valgrind-test: build
	@sh scripts/ensure-deps.sh valgrind
	meson test -C $(BUILD) --setup=valgrind --no-suite corpus --no-suite conformance $(MESON_TEST_ARGS)

format-check:
	@sh scripts/ensure-deps.sh clang-format
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror

install: build
	meson install -C $(BUILD)

# libFuzzer targets (clang, ASan + UBSan) run FUZZ_SECONDS each on a scratch
# copy of their corpora; see docs/fuzzing.md.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
.PHONY: fuzz
fuzz:
	@sh scripts/ensure-deps.sh clang libclang-rt-14-dev
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(FUZZ_BUILD) sh fuzz/run-fuzzers.sh $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
