#!/usr/bin/env bash
# Installs the Debian packages the application and its tests need, when it can (root with
# apt-get); otherwise it names what is missing and carries on, so that a developer without
# root still gets a working app (PDFs then lack CJK fonts, and the browser test fails
# loudly rather than silently).
set -euo pipefail

# chromium: the browser tests (Playwright drives Debian's build; it never downloads one).
# fonts-*: CJK fonts for the official-style PDFs and for screenshots; fonts-hanazono (HanaMinA/B)
#   ends every document font stack: it has CJK Extension A and B, which no Noto CJK font has;
#   fonts-liberation2: Liberation Serif (Times New Roman's metrics) for the figures of the body.
# poppler-utils: pdftotext/pdftoppm, used by the document tests and the README pictures.
# graphviz: `dot` draws the workflow diagram from the definition (no network service).
# slapd, ldap-utils: the directory sign-in tests start their own OpenLDAP server on loopback
#   (tests/ldap_server.py) and load it with ldapadd; the system's slapd is neither started
#   nor enabled here.
# libreoffice-calc-nogui: headless `soffice --convert-to` (no X libraries), the office program
#   the workbook tests open our .xlsx in: printed to PDF (pages counted) and saved as .xls and
#   .ods for the import tests (tests/office_convert.py). The app itself never runs it.
# fonts-crosextra-carlito: Carlito, Calibri's metrics: a workbook's column widths are counted in
#   its default font's digits (Calibri, as openpyxl writes it), so LibreOffice lays the sheets
#   out at the widths Excel gives them; without it the columns come out a quarter wider.
# nginx: bench/deadline.py puts two app instances behind Debian's nginx, as the README's
#   deployment does; the bench starts its own nginx (config and pid in a temporary folder), the
#   system's nginx is neither started nor enabled here.
PACKAGES=(chromium graphviz fonts-noto-cjk fonts-noto-cjk-extra fonts-arphic-ukai fonts-wqy-zenhei fonts-hanazono fonts-liberation2 poppler-utils slapd ldap-utils libreoffice-calc-nogui fonts-crosextra-carlito nginx)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # slapd's and nginx's packages would start (and enable) a system directory server and web
  # server: only the tests' own slapd and the bench's own nginx are wanted. A policy-rc.d answering 101 stops the package's start; the service
  # is then disabled for later boots.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT  # ours: gone however apt-get ends
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for service in slapd nginx; do
    if printf '%s\n' "${missing[@]}" | grep -qx "$service"; then
      if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
        systemctl disable --now "$service" >/dev/null 2>&1 || true
      elif command -v update-rc.d >/dev/null 2>&1; then
        update-rc.d "$service" disable >/dev/null 2>&1 || true
      fi
    fi
  done
else
  echo "WARNING: these Debian packages are missing; install them as root:" >&2
  echo "  apt-get install ${missing[*]}" >&2
fi
