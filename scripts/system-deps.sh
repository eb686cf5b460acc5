#!/usr/bin/env bash
# Install the Debian packages reportgen needs, if any is missing.
#   scripts/system-deps.sh          what building needs: Pango (WeasyPrint's text engine) and
#                                   libharfbuzz-subset0 (fast, deterministic font subsetting)
#   scripts/system-deps.sh --test   and what the tests need: poppler-utils (pdftotext, pdffonts,
#                                   pdfinfo), qpdf (qpdf --check), libreoffice-writer (tests/test_docx.py
#                                   opens the DOCX in a real client: soffice --headless)
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
if [ "${1:-}" = "--test" ]; then
  want+=(poppler-utils qpdf libreoffice-writer)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "system-deps: installing ${missing[*]}" >&2
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
