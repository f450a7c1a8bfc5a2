#!/usr/bin/env bash
# Fails unless doctor.so needs no glibc symbol version newer than GLIBC_2.31 (Debian 11, Ubuntu
# 20.04) and no libstdc++ version at all (ext/glibc_compat.cc, //:doctor.so's link options).
#   check_symbol_versions.sh DOCTOR_SO [OBJDUMP]    (aarch64-linux-gnu-objdump for the arm64 build)
set -euo pipefail
so="$1" objdump="${2:-objdump}"
max_glibc_minor=31
versions="$("$objdump" -T "$so" | grep -oE '\((GLIBC|GLIBCXX|CXXABI)_[0-9.]+\)' | tr -d '()' | sort -u)"
for v in $versions; do
  case "$v" in
    GLIBC_2.*) minor="${v#GLIBC_2.}"; minor="${minor%%.*}"
      [ "$minor" -le "$max_glibc_minor" ] ||
        { echo "FAIL: needs $v, newer than GLIBC_2.$max_glibc_minor: $("$objdump" -T "$so" | grep "$v")"; exit 1; } ;;
    *) echo "FAIL: needs libstdc++'s $v"; exit 1 ;;
  esac
done
echo "ok: symbol versions no newer than GLIBC_2.$max_glibc_minor, no GLIBCXX: $(echo $versions)"
