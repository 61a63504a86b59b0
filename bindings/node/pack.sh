#!/usr/bin/env bash
# Packs the Node addon's npm packages, napi-rs style, into <out-dir>:
#   @tether/engine-runner               this directory's package.json and lib/ (façade + loader)
#   @tether/engine-runner-linux-x64-gnu npm/linux-x64-gnu/package.json and the .node (stripped;
#                                       TETHER_NODE_NO_STRIP=1 keeps its debug info)
# Prints the tarballs' paths, main package first. Offline: npm pack only.
#   pack.sh <tether.linux-x64-gnu.node> <out-dir>
# (cmake --build <build-dir> --target tether_node_package packs into <build-dir>/bindings/node/packages.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
addon=${1:?usage: pack.sh <tether.linux-x64-gnu.node> <out-dir>}
out=${2:?usage: pack.sh <tether.linux-x64-gnu.node> <out-dir>}
platform=linux-x64-gnu
platform_dir=$here/npm/$platform

main_wants=$(node -p "require('$here/package.json').optionalDependencies['@tether/engine-runner-$platform']")
platform_version=$(node -p "require('$platform_dir/package.json').version")
if [[ $main_wants != "$platform_version" ]]; then
  echo "pack.sh: package.json wants @tether/engine-runner-$platform $main_wants," \
       "npm/$platform/package.json is $platform_version" >&2
  exit 1
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
staging=$out/staging/$platform
rm -rf "$staging" "$out"/*.tgz
mkdir -p "$staging"
cp "$platform_dir/package.json" "$staging/"
if [[ ${TETHER_NODE_NO_STRIP:-} == 1 ]]; then
  cp "$addon" "$staging/tether.$platform.node"
else
  strip --strip-unneeded -o "$staging/tether.$platform.node" "$addon"
fi

pack() { (cd "$1" && npm pack --ignore-scripts --pack-destination "$out" --loglevel=error | tail -n1); }
main_tgz=$(pack "$here")
platform_tgz=$(pack "$staging")
echo "$out/$main_tgz"
echo "$out/$platform_tgz"
