#!/usr/bin/env bash
# Installs the Debian packages kokemus-docs uses, if any are missing:
#   LibreOffice (PDF output, opening workbooks in tests), python3-venv,
#   pdftk, poppler-utils and mupdf-tools (third-party form fillers and renderers used by the tests),
#   chromium and chromium-driver (the web app's browser tests), python3-uno (the web app's warm LibreOffice),
#   npm (installs axe-core, the accessibility checker of the browser tests; skipped where npm is already there).
set -euo pipefail

packages=(python3-venv libreoffice-writer-nogui libreoffice-calc-nogui pdftk-java poppler-utils mupdf-tools
          fonts-dejavu-core chromium chromium-driver python3-uno)

if ! command -v apt-get >/dev/null 2>&1; then
    echo "No apt-get here: install LibreOffice, pdftk, poppler-utils and mupdf-tools with your package manager." >&2
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
# Another apt or dpkg (an automatic update, a software centre) may hold the package lock: wait for it.
lock_wait=${KOKEMUS_APT_LOCK_WAIT:-600}
echo "Installing ${missing[*]} (needs administrator rights) ..." >&2
echo "If another apt or dpkg process is running, this waits for it to finish (up to $((lock_wait / 60)) minutes)." >&2
$sudo apt-get -o DPkg::Lock::Timeout="$lock_wait" update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout="$lock_wait" install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
