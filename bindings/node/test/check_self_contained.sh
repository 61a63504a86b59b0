#!/usr/bin/env bash
# Asserts that a built .node loads on a glibc 2.34 host with nothing installed (Amazon Linux 2023,
# Vercel): it needs only libc/libm/libgcc_s/ld-linux (libpthread/libdl too: empty since glibc
# 2.34), no glibc symbol version above 2.34, exports only the two Node-API entry points, has no
# unversioned undefined symbol other than node's napi_*, no text relocations, and loads in node.
#   check_self_contained.sh <file.node>
set -uo pipefail
addon=${1:?usage: check_self_contained.sh <file.node>}
max_glibc=2.34
failed=0
fail() { echo "FAIL: $*"; failed=1; }

[[ -f $addon ]] || { echo "FAIL: $addon does not exist"; exit 1; }
echo "checking $addon ($(stat -c %s "$addon") bytes)"

# NEEDED entries.
allowed_needed=" libc.so.6 libm.so.6 libgcc_s.so.1 ld-linux-x86-64.so.2 libpthread.so.0 libdl.so.2 "
needed=$(readelf -dW "$addon" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "NEEDED: $(echo $needed)"
for lib in $needed; do
  [[ $allowed_needed == *" $lib "* ]] || fail "NEEDED $lib (allowed:$allowed_needed)"
done
readelf -dW "$addon" | grep -q '(TEXTREL)' && fail "the .node has text relocations (non-PIC code)"

# Dynamic symbols: "<value> <flags> <section> <size> [(version)|version] <name>" (objdump -T).
symbols=$(objdump -T "$addon") || { echo "FAIL: objdump -T $addon"; exit 1; }
glibc_versions=$(grep -o 'GLIBC_[0-9][0-9.]*' <<<"$symbols" | sort -uV)
highest=$(tail -n1 <<<"$glibc_versions")
echo "highest glibc symbol version: ${highest:-none}"
too_new=$(awk -v max="$max_glibc" '
  match($0, /GLIBC_[0-9][0-9.]*/) {
    v = substr($0, RSTART + 6, RLENGTH - 6); split(v, a, "."); split(max, m, ".")
    if (a[1] + 0 > m[1] + 0 || (a[1] + 0 == m[1] + 0 && a[2] + 0 > m[2] + 0)) print "  " $NF " (GLIBC_" v ")"
  }' <<<"$symbols")
[[ -z $too_new ]] || fail "symbols need glibc > $max_glibc, which Amazon Linux 2023 lacks:
$too_new"
grep -q 'GLIBCXX_\|CXXABI_' <<<"$symbols" && fail "the .node uses the system libstdc++:
$(grep 'GLIBCXX_\|CXXABI_' <<<"$symbols" | awk '{print "  " $NF}' | head -20)"

# (Version definitions, if a version script names one, show up as *ABS* entries.)
defined=$(awk '/^[0-9a-f]+ / && !/\*UND\*/ && !/\*ABS\*/ {print $NF}' <<<"$symbols" | sort -u)
echo "exported: $(echo $defined)"
expected_exports=$'napi_register_module_v1\nnode_api_module_get_api_version_v1'
[[ $defined == "$expected_exports" ]] || fail "exports other than the two Node-API entry points:
$(comm -23 <(echo "$defined") <(echo "$expected_exports") | sed 's/^/  /' | head -40)"

# Undefined symbols without a version are resolved from the loading process: only node's
# Node-API may be (weak ones such as __gmon_start__ may stay unresolved).
unversioned=$(awk '/\*UND\*/ && $0 !~ / w / && NF == 5 {print $NF}' <<<"$symbols" |
              grep -v '^napi_\|^node_api_' | sort -u)
[[ -z $unversioned ]] || fail "undefined symbols that node does not provide:
$(sed 's/^/  /' <<<"$unversioned" | head -40)"

# It loads, and a runner can be made (no I/O happens before start()).
if out=$(env -u TETHER_NODE_ADDON node -e '
  const addon = require(process.argv[1]);
  const runner = new addon.NativeRunner({ endpoint: "http://127.0.0.1:1", namespace: "default",
    runnerName: "default", totalSlots: 1, version: 1, prepopulateActorNames: {}, metadataJson: "",
    trustedRootsPem: "", logLevel: "warn", logs: false }, () => {});
  if (runner.runnerId !== undefined) throw new Error("runnerId before start: " + runner.runnerId);
  console.log("node " + process.version + " loaded it and made a NativeRunner");
' "$(realpath "$addon")" 2>&1); then
  echo "$out"
else
  fail "node cannot load it:
$out"
fi

if ((failed)); then
  echo "node addon self-containment: FAILED"
  exit 1
fi
echo "node addon self-containment: OK"
