#!/usr/bin/env bash
source "$(dirname "$(realpath "$0")")/../sanitizer_env.sh" "$1"
exec /usr/bin/python3 "$(dirname "$0")/planted_problems_test.py" "$1" "$2"
