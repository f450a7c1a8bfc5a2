#!/usr/bin/env bash
# Writes build_info.cc from Bazel's stable and volatile status files.
commit="$(awk '$1 == "STABLE_DOCTOR_COMMIT" {print $2}' "$1")"
stamp="$(awk '$1 == "BUILD_TIMESTAMP" {print $2}' "$2")"
date="$(date -u -d "@${stamp:-0}" +%Y-%m-%dT%H:%M:%SZ)"
cat <<CC
#include "ext/meta/build_info.h"
namespace doctor {
const char* BuildCommit() { return "${commit:-unknown}"; }
const char* BuildDate() { return "${date}"; }
}  // namespace doctor
CC
