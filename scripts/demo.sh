#!/usr/bin/env bash
# The main job: builds tether, starts the real Rivet engine on loopback and shows it working.
# Stays up until Ctrl-C. Pass --data-dir DIR to keep the engine's state between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target tether-demo tether counter-runner
exec build/examples/demo/tether-demo "$@"
