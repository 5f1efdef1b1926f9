#!/usr/bin/env bash
# vendor.sh installs the dashboard's front-end dependencies from the npm
# registry (with the machine's ordinary npm configuration) and copies the
# minified files the dashboard serves into dashboard/static/vendor/, then
# records each file's name, package version and sha256 in
# dashboard/static/vendor/VERSIONS.
#
# The dashboard must work offline, so the NHS.UK stylesheet is rewritten:
# its @font-face rules (which load Frutiger from a remote host) are removed,
# leaving the system font stack 'Frutiger W01', Arial, sans-serif, and its
# icon URLs are pointed at the copies served next to it. The script fails if
# any remote URL is left in a vendored file.
#
# Usage: bash dashboard/assets/vendor.sh   (from anywhere; needs node and npm)
set -euo pipefail

ECHARTS_VERSION=5.6.0
NHSUK_VERSION=10.6.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(
	cd "$tmp"
	printf '{"name":"uptake-vendor","private":true}\n' >package.json
	npm install --no-audit --no-fund --ignore-scripts --save-exact \
		"echarts@$ECHARTS_VERSION" "nhsuk-frontend@$NHSUK_VERSION" >/dev/null
)
mods="$tmp/node_modules"

rm -rf "$out"
mkdir -p "$out/echarts" "$out/nhsuk-frontend/images"

# ECharts: the full minified UMD build (defines window.echarts) and its licence.
cp "$mods/echarts/dist/echarts.min.js" "$out/echarts/echarts.min.js"
cp "$mods/echarts/LICENSE" "$out/echarts/LICENSE"
cp "$mods/echarts/NOTICE" "$out/echarts/NOTICE"

# NHS.UK frontend: compiled CSS without remote fonts or source map comment.
nhsuk="$mods/nhsuk-frontend/dist/nhsuk"
sed -E \
	-e 's#@font-face\{[^}]*\}##g' \
	-e 's#url\(/assets/images/#url(images/#g' \
	-e 's#/\*[#] sourceMappingURL=[^*]*\*/##g' \
	"$nhsuk/nhsuk-frontend.min.css" >"$out/nhsuk-frontend/nhsuk-frontend.min.css"
for icon in $(grep -oE 'url\(images/[a-z0-9-]+\.svg\)' "$out/nhsuk-frontend/nhsuk-frontend.min.css" |
	sed -E 's#url\(images/(.*)\)#\1#' | sort -u); do
	cp "$nhsuk/assets/images/$icon" "$out/nhsuk-frontend/images/$icon"
done
cp "$nhsuk/assets/images/favicon.ico" "$out/nhsuk-frontend/images/favicon.ico"
# The package states "license": "MIT" but ships no licence file; record it.
node -e 'const p=require(process.argv[1]); console.log(p.name+" "+p.version+" is released under the "+p.license+" licence; see its README, section Licence.")' \
	"$mods/nhsuk-frontend/package.json" >"$out/nhsuk-frontend/LICENSE"

if grep -rEl 'url\((["'\'']?)(https?:)?//' "$out" --include='*.css'; then
	echo "vendor.sh: a remote URL is left in the files above" >&2
	exit 1
fi

# VERSIONS: one line per file: package, version, sha256, path under vendor/.
version() { node -e 'console.log(require(process.argv[1]).version)' "$mods/$1/package.json"; }
{
	echo "# package version sha256 file (written by dashboard/assets/vendor.sh)"
	(cd "$out" && find echarts -type f | LC_ALL=C sort | while read -r f; do
		echo "echarts $(version echarts) $(sha256sum "$f" | cut -d' ' -f1) $f"
	done)
	(cd "$out" && find nhsuk-frontend -type f | LC_ALL=C sort | while read -r f; do
		echo "nhsuk-frontend $(version nhsuk-frontend) $(sha256sum "$f" | cut -d' ' -f1) $f"
	done)
} >"$out/VERSIONS"
cat "$out/VERSIONS"
