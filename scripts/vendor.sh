#!/bin/sh
# Fetch the vendored browser assets of the web UI from their npm packages, verify them against
# the registry's integrity digest, and copy the files the pages load (with each package's
# licence) into src/pyrewatch/http/web/static/vendor/. Needs npm only here, never to install or
# run Pyrewatch. Pin a new version by editing the list below, then run `make vendor`.
set -eu

DEST="$(cd "$(dirname "$0")/.." && pwd)/src/pyrewatch/http/web/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# package version file-in-package vendored-name
vendor() {
    package=$1 version=$2 source=$3 target=$4
    (cd "$WORK" && npm pack --silent "$package@$version" >/dev/null)
    tarball="$WORK/$(echo "$package" | tr -d '@' | tr '/' '-')-$version.tgz"
    expected=$(npm view "$package@$version" dist.integrity)
    actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | openssl base64 -A)"
    if [ "$expected" != "$actual" ]; then
        echo "integrity mismatch for $package@$version" >&2
        exit 1
    fi
    mkdir -p "$WORK/$package-$version"
    tar -xzf "$tarball" -C "$WORK/$package-$version"
    cp "$WORK/$package-$version/package/$source" "$DEST/$target"
    cp "$WORK/$package-$version/package/LICENSE" "$DEST/LICENSE-$package"
    echo "$package@$version $source -> $target sha256:$(sha256sum "$DEST/$target" | cut -d' ' -f1)" >>"$DEST/VENDORED.txt"
}

mkdir -p "$DEST"
printf '# Written by scripts/vendor.sh: npm package@version, file in the package -> vendored file.\n' >"$DEST/VENDORED.txt"
vendor htmx.org 2.0.11 dist/htmx.min.js htmx-2.0.11.min.js
