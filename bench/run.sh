#!/usr/bin/env bash
# The one command of the benchmarks: builds tether in Release (build-bench/), then runs every
# scenario for tether, for the official TypeScript runner and for the Node addon (bindings/node,
# the same JavaScript app as the official runner's) on the real engine and writes
# bench/RESULTS.md. Takes about 20 minutes with the default 3 repetitions.
#
#   bench/run.sh [--repetitions N] [--smoke] [--no-addon] [other bench-driver flags]
#
# --smoke runs each scenario once with tiny counts (seconds) and writes
# build-bench/bench-work/smoke-results.md instead of bench/RESULTS.md.
# --no-addon leaves the Node addon's runs out.
# Environment: JOBS (parallel compile jobs, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Set in some environments; it makes the engine capture a backtrace per message and crawl.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DTETHER_BUILD_TESTS=OFF >/dev/null
# bench-driver depends on everything it runs, the addon's .node included.
cmake --build build-bench -j "${JOBS:-2}" --target bench-driver

work_dir=build-bench/bench-work
exec build-bench/bench/bench-driver --work-dir "$work_dir" --command "bench/run.sh${*:+ $*}" "$@"
