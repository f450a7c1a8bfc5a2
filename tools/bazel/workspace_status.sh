#!/usr/bin/env bash
# Stamps doctor_debug() with the commit; an unstamped or git-less build says "unknown".
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
if [ "$commit" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit-dirty"
fi
echo "STABLE_DOCTOR_COMMIT $commit"
