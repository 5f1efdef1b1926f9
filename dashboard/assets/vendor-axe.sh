#!/usr/bin/env bash
# vendor-axe.sh installs axe-core, the accessibility checker the browser
# tests inject into every page (dashboard/accessibility_test.go), from the
# npm registry (with the machine's ordinary npm configuration), and copies
# its minified script and licence into dashboard/testdata/axe/, recording
# each file's package, version and sha256 in dashboard/testdata/axe/VERSIONS.
#
# It is for tests only: the dashboard never serves it (testdata is not
# embedded), and the tests check the file against VERSIONS before use.
#
# Usage: bash dashboard/assets/vendor-axe.sh   (from anywhere; needs node and npm)
set -euo pipefail

AXE_VERSION=4.14.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../testdata/axe"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(
	cd "$tmp"
	printf '{"name":"uptake-vendor-axe","private":true}\n' >package.json
	npm install --no-audit --no-fund --ignore-scripts --save-exact "axe-core@$AXE_VERSION" >/dev/null
)
mods="$tmp/node_modules"

rm -rf "$out"
mkdir -p "$out"
cp "$mods/axe-core/axe.min.js" "$out/axe.min.js"
cp "$mods/axe-core/LICENSE" "$out/LICENSE"

version() { node -e 'console.log(require(process.argv[1]).version)' "$mods/$1/package.json"; }
{
	echo "# package version sha256 file (written by dashboard/assets/vendor-axe.sh)"
	(cd "$out" && for f in LICENSE axe.min.js; do
		echo "axe-core $(version axe-core) $(sha256sum "$f" | cut -d' ' -f1) $f"
	done)
} >"$out/VERSIONS"
cat "$out/VERSIONS"
