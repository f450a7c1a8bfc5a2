#!/usr/bin/env bash
# Debian's python3 is built with loadable-extension support; the pyenv one first on PATH is not.
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$1"
exec /usr/bin/python3 "$(dirname "$0")/python_load_test.py" "$1"
