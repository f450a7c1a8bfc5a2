#!/usr/bin/env bash
# Runs a Python test that loads doctor.so: run_python.sh SCRIPT.py DOCTOR_SO [ARGS...]
# Debian's /usr/bin/python3 can load extensions (the pyenv python3 first on PATH cannot), and a
# sanitizer build's runtime is preloaded first (sanitizer_env.sh).
script="$1"
shift
source "$(dirname "$(realpath "$0")")/sanitizer_env.sh" "$1"
sanitized /usr/bin/python3 "$script" "$@"
