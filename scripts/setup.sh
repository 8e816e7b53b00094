#!/usr/bin/env bash
# Set up jixiao from nothing: system packages (Debian/Ubuntu), a virtualenv in .venv, the package with
# its web and dev extras. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: CJK fonts (charts, PDFs), LibreOffice (docx/xlsx → pdf), Chromium + driver (browser
# tests), poppler (pdftoppm for page previews), PostgreSQL (store tests against a real server).
APT_PACKAGES=(fonts-noto-cjk libreoffice-writer-nogui libreoffice-calc-nogui chromium chromium-driver
              poppler-utils postgresql)
if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    echo "安装系统软件包：${missing[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "提示：非 Debian 系统，请自行安装 Noto CJK 字体、LibreOffice、Chromium、poppler 与 PostgreSQL（可选）。" >&2
fi

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "需要 Python ≥ 3.11" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[web,dev]"
echo "安装完成：.venv/bin/jixiao --help"
