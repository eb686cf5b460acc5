#!/usr/bin/env bash
# Install the Debian packages reportgen needs, if any is missing.
#   scripts/system-deps.sh          what building needs: Pango (WeasyPrint's text engine) and
#                                   libharfbuzz-subset0 (fast, deterministic font subsetting),
#                                   libcairo2 (CairoSVG: SVG figures as pictures in the DOCX),
#                                   libreoffice-writer (`build --docx-page-numbers` lays the DOCX out
#                                   with it; `make demo` does; the tests open the DOCX in it)
#   scripts/system-deps.sh --install  and pipx (`make install` puts the `reportgen` command on the
#                                   PATH with it, in an environment of its own)
#   scripts/system-deps.sh --test   and what the tests need: pipx (tests/test_install.py runs the
#                                   README's `make install` in a clone), poppler-utils (pdftotext, pdffonts,
#                                   pdfinfo), qpdf (qpdf --check), python3-uno (tests/review
#                                   play a reviewer in LibreOffice through its UNO bridge, with
#                                   Debian's /usr/bin/python3),
#                                   chromium and node with npm (the browser tests drive Debian's
#                                   chromium with puppeteer-core; tests/browser/package.json), then
#                                   tests/browser's npm packages (axe-core, puppeteer-core) from the lock file
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 libreoffice-writer)
# pipx (make install; tests/test_install.py): Debian's package unless a pipx is already on the PATH
if [ "${1:-}" = "--install" ] || [ "${1:-}" = "--test" ]; then
  command -v pipx >/dev/null || want+=(pipx)
fi
if [ "${1:-}" = "--test" ]; then
  want+=(poppler-utils qpdf chromium python3-uno)
  # node and npm: Debian's packages unless a node with npm is already on the PATH
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then want+=(nodejs npm); fi
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "system-deps: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--test" ]; then
  browser="$(dirname "$0")/../tests/browser"
  # reinstall when the lock file changed since the last install
  if [ ! -f "$browser/node_modules/.package-lock.json" ] || [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
    echo "system-deps: npm ci in tests/browser" >&2
    (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
