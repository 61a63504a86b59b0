#!/usr/bin/env bash
# Packs @tether/engine-runner and its linux-x64-gnu platform package (pack.sh), installs both
# tarballs offline into a clean project with an empty npm cache, and checks that import() and
# require() of @tether/engine-runner both load, with the addon from the platform package (not
# TETHER_NODE_ADDON), and that without the platform package the loader's error says why.
#   package_test.sh <tether.linux-x64-gnu.node> <work-dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../../.." && pwd)
addon=${1:?usage: package_test.sh <tether.linux-x64-gnu.node> <work-dir>}
work=${2:?usage: package_test.sh <tether.linux-x64-gnu.node> <work-dir>}
unset TETHER_NODE_ADDON

rm -rf "$work"
mkdir -p "$work/app"
mapfile -t tarballs < <("$here/../pack.sh" "$addon" "$work/packages")
echo "packed: ${tarballs[*]}"

# The main package's dependency @rivetkit/virtual-websocket comes from what scripts/setup.sh
# installed (node_modules/, pinned in package.json). npm's cache cannot serve it offline: setup's
# install caches the abbreviated packument, an install without a lock file asks for the full one
# (ENOTCACHED). A tarball packed from node_modules satisfies the dependency at the same version.
dependency=@rivetkit/virtual-websocket
wanted=$(node -p "require('$here/../package.json').dependencies['$dependency']")
have=$(node -p "require('$source_dir/node_modules/$dependency/package.json').version")
if [[ $wanted != "$have" ]]; then
  echo "FAIL: the package needs $dependency $wanted, node_modules has $have (package.json pins?)"
  exit 1
fi
tarballs+=("$work/packages/$(cd "$source_dir/node_modules/$dependency" &&
                             npm pack --ignore-scripts --pack-destination "$work/packages" --loglevel=error |
                             tail -n1)")

export npm_config_cache=$work/npm-cache  # empty: nothing can come from the user's cache
cd "$work/app"
echo '{ "name": "tether-package-test", "private": true, "type": "module" }' >package.json
npm install --offline --no-audit --no-fund --loglevel=error "${tarballs[@]}"
expected=$(realpath node_modules/@tether/engine-runner-linux-x64-gnu/tether.linux-x64-gnu.node)

# The façade loads the addon at the first `new Runner` (which does no I/O before start()).
make_runner='new runner.Runner({ version: 1, endpoint: "http://127.0.0.1:1", namespace: "default", totalSlots: 1,
  runnerName: "default", prepopulateActorNames: {}, onConnected() {}, onDisconnected() {}, onShutdown() {},
  fetch: async () => new Response(), websocket: async () => {}, hibernatableWebSocket: { canHibernate: () => false },
  onActorStart: async () => {}, onActorStop: async () => {} });'
check='
  '"$make_runner"'
  const expected = process.argv[1];
  const loaded = Object.keys(require.cache).filter((file) => file.endsWith(".node"));
  if (loaded.length !== 1 || loaded[0] !== expected) {
    console.error(`FAIL (${format}): loaded ${JSON.stringify(loaded)}, expected ${expected}`);
    process.exit(1);
  }
  console.log(`${format}: @tether/engine-runner loaded ${loaded[0]}; exports: ${Object.keys(runner).join(", ")}`);'
node --input-type=module -e "
  import { createRequire } from 'node:module';
  const require = createRequire(import.meta.url);
  const format = 'import()';
  const runner = await import('@tether/engine-runner');
  $check" "$expected"
node --input-type=commonjs -e "
  const format = 'require()';
  const runner = require('@tether/engine-runner');
  $check" "$expected"

# Without the platform package (another platform, or --omit=optional), the error says what failed.
rm -rf node_modules/@tether/engine-runner-linux-x64-gnu
if message=$(node --input-type=commonjs -e "const runner = require('@tether/engine-runner'); $make_runner" 2>&1); then
  echo "FAIL: @tether/engine-runner loaded without its platform package"
  exit 1
fi
for part in "linux-x64" "glibc" "@tether/engine-runner-linux-x64-gnu" "Cannot find module"; do
  if [[ $message != *"$part"* ]]; then
    echo "FAIL: the loader's error does not mention '$part':"
    echo "$message"
    exit 1
  fi
done
echo "without the platform package: $(grep -m1 'cannot load' <<<"$message")"
echo "node addon packages: OK"
