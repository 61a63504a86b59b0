#!/usr/bin/env bash
# Installs this example into <dir> (default build/examples/rivetkit-node) against the addon packed
# from this checkout instead of the npm registry: the same overrides line, pointing at the local
# tarballs. Needs a build with the addon (scripts/test.sh or cmake --build build).
#   examples/rivetkit-node/install-local.sh [dir]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${1:-$root/build/examples/rivetkit-node}
cmake --build "$root/build" --target tether_node_package >/dev/null
packages=$root/build/bindings/node/packages
main=$(ls "$packages"/tether-engine-runner-0.*.tgz)
platform=$(ls "$packages"/tether-engine-runner-linux-x64-gnu-*.tgz)
mkdir -p "$dest"
cp "$here"/*.mjs "$dest/"
node -e '
  const [src, dest, main, platform] = process.argv.slice(1);
  const pkg = require(src);
  pkg.overrides["@rivetkit/engine-runner"] = "file:" + main;
  pkg.overrides["@tether/engine-runner-linux-x64-gnu"] = "file:" + platform;
  require("fs").writeFileSync(dest, JSON.stringify(pkg, null, 2) + "\n");
' "$here/package.json" "$dest/package.json" "$main" "$platform"
(cd "$dest" && npm install --no-audit --no-fund --loglevel=error)
echo "installed in $dest"
