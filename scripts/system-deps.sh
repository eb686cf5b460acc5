#!/usr/bin/env bash
# Install the Debian packages reportgen and its tests need, if any is missing.
# Pango is WeasyPrint's text engine; poppler-utils gives pdftotext/pdffonts/pdftoppm to the tests;
# libharfbuzz-subset0 makes WeasyPrint's font subsetting fast and deterministic.
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils "$@")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
