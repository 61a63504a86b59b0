#!/usr/bin/env bash
# Debian 12's own abseil source package, the exact version of the installed libabsl-dev with
# Debian's patches applied, unpacked once into a cache outside the work tree. The Node addon
# (bindings/node) compiles the Abseil libraries it needs from it with -fPIC: Debian's libabsl_*.a
# use local-exec TLS (R_X86_64_TPOFF32), which a shared object cannot contain, and its
# libabsl_*.so need a system libstdc++.so, which the addon's hosts may lack.
#
#   scripts/abseil-source.sh         fetch and unpack unless already there (scripts/setup.sh)
#   scripts/abseil-source.sh --dir   only print the source directory (CMake calls this)
#
# The source comes through apt from the mirror and suite that the installed version came from
# (a deb-src entry in a private apt state directory: the system's sources and lists are left
# alone), so apt checks it against the signed index. The unpacked headers must be byte-identical
# to /usr/include/absl, so the addon's code and the PIC libraries agree (options.h included).
# TETHER_CACHE_DIR overrides the cache (default ${XDG_CACHE_HOME:-~/.cache}/tether).
set -euo pipefail

version=$(dpkg-query -W -f='${Version}' libabsl-dev 2>/dev/null) ||
  { echo "abseil-source: libabsl-dev is not installed (run scripts/setup.sh)" >&2; exit 1; }
cache=${TETHER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tether}
src=$cache/abseil-$version/src
if [[ ${1-} == --dir ]]; then
  echo "$src"
  exit 0
fi
[[ -f $src/.tether-complete ]] && exit 0

echo "abseil-source: fetching Debian's abseil $version source package into $src"
# "libabsl-dev | 20220623.1-1+deb12u2 | http://deb.debian.org/debian bookworm/main amd64 Packages"
origin() { apt-cache madison libabsl-dev | awk -F' [|] ' -v v="$version" '$2 == v && $3 ~ /^https?:/ {print $3; exit}'; }
origin=$(origin)
if [[ -z $origin ]]; then  # no package lists yet (a fresh machine): read them once
  apt-get update -q >/dev/null
  origin=$(origin)
fi
if [[ -z $origin ]]; then
  echo "abseil-source: no apt source offers libabsl-dev $version any more; upgrade it" \
       "(apt-get install libabsl-dev) and run this again" >&2
  exit 1
fi
read -r uri dist_component _ <<<"$origin"
suite=${dist_component%/*}
component=${dist_component#*/}

mkdir -p "$cache"
work=$(mktemp -d "$cache/abseil-fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/sources.list.d"
signed_by=""
[[ -f /usr/share/keyrings/debian-archive-keyring.gpg ]] &&
  signed_by="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
echo "deb-src $signed_by$uri $suite $component" >"$work/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/sources.list.d"
             -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root
             -q)
apt-get "${apt_private[@]}" update >/dev/null
(cd "$work" && apt-get "${apt_private[@]}" source --download-only "abseil=$version" >/dev/null)
dsc=$(ls "$work"/abseil_*.dsc)
# apt has checked the .dsc and both tarballs against the signed index; the .dsc's own signature
# would need the uploader's key (debian-keyring), so dpkg-source does not check again.
dpkg-source --no-check --no-copy -x "$dsc" "$work/src" >/dev/null

differ=0
while IFS= read -r -d '' header; do
  relative=${header#/usr/include/absl/}
  cmp -s "$header" "$work/src/absl/$relative" || { echo "abseil-source: $relative differs" >&2; differ=1; }
done < <(find /usr/include/absl -type f -print0)
if ((differ)); then
  echo "abseil-source: the source package does not match the installed /usr/include/absl" >&2
  exit 1
fi

rm -rf "$src"
mkdir -p "$(dirname "$src")"
touch "$work/src/.tether-complete"
mv "$work/src" "$src"
echo "abseil-source: done"
