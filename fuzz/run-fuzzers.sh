#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets with clang (ASan + UBSan, every report fatal) in
# their own meson build directory and run each for a fixed time on a scratch
# copy of its corpus, so that runs never dirty the repository.
#
# usage: fuzz/run-fuzzers.sh [TARGET...]        (default: every target)
# environment:
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_BUILD    build directory (default build-fuzz)
#   FUZZ_JOBS     parallel compile jobs (default 2)
#   FUZZ_ARGS     extra libFuzzer arguments (e.g. -jobs=2 -workers=2)
# Prints one line per target (executions, corpus size, verdict); exits 1 when
# any target crashed, leaked, hit undefined behaviour or timed out.  Findings
# are kept as $FUZZ_BUILD/fuzz-run/<target>/crash-* (or leak-, timeout-...).
set -eu

cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build-fuzz}
extra=${FUZZ_ARGS:-}
all="of-load of-overlay smmuv3 smmuv2 pgtable iova explain scenario dma"
targets=${*:-$all}

# -max_len per target: the size of the inputs its entry point can use.
max_len() {
	case $1 in
	of-load | of-overlay | explain) echo 65536 ;;
	scenario) echo 8192 ;;
	smmuv3 | smmuv2) echo 16384 ;;
	pgtable) echo 32776 ;; # byte 0 + 4096 records of 8 bytes
	iova) echo 16385 ;;    # byte 0 + 4096 operations of 4 bytes
	dma) echo 513 ;;       # byte 0 + 64 records of 8 bytes
	*) echo 4096 ;;
	esac
}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dwerror=false \
		-Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer' \
		-Dc_link_args='-fno-sanitize-recover=all'
else
	# Regenerate first when a meson.build changed, so new targets are known.
	ninja -C "$build" build.ninja >/dev/null
fi
built=""
for t in $targets; do
	if [ -d "fuzz/corpus/$t" ] && grep -q "'$t'" fuzz/meson.build; then
		built="$built fuzz/fuzz-$t"
	else
		echo "fuzz: no target '$t' in this tree (skipped)"
	fi
done
[ -n "$built" ] || exit 1
# shellcheck disable=SC2086
meson compile -C "$build" -j "${FUZZ_JOBS:-2}" $built

status=0
summary=""
for b in $built; do
	t=${b#fuzz/fuzz-}
	run="$build/fuzz-run/$t"
	rm -rf "$run"
	mkdir -p "$run/corpus"
	cp fuzz/corpus/"$t"/* "$run/corpus/"
	echo "fuzz: $t for ${seconds}s (log: $run/log)"
	set +e
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$build/$b" -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=20 \
		-rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$run/" $extra \
		"$run/corpus" >"$run/log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log" | tail -n 1)
	cov=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$run/log" | tail -n 1 |
		sed -n 's/.*cov: \([0-9]*\).*corp: \([0-9]*\).*/cov \1, corpus \2/p')
	if [ "$rc" -eq 0 ]; then
		verdict="nothing found"
	else
		found=""
		for f in "$run"/crash-* "$run"/leak-* "$run"/timeout-* "$run"/oom-* \
			"$run"/slow-unit-*; do
			if [ -e "$f" ]; then
				found=${f##*/}
				break
			fi
		done
		verdict="FOUND (exit $rc): $run/${found:-log}"
		status=1
		tail -n 30 "$run/log"
	fi
	line=$(printf '%-11s %12s execs  %-24s %s' "$t" "${execs:-?}" "${cov:-}" "$verdict")
	summary="$summary$line
"
done
echo
echo "fuzz summary (${seconds}s per target):"
printf '%s' "$summary"
exit $status
