// Facts stamped into the build by Bazel's workspace status (tools/bazel/workspace_status.sh).
#ifndef DOCTOR_META_BUILD_INFO_H_
#define DOCTOR_META_BUILD_INFO_H_

namespace doctor {

const char* BuildCommit();  // short git commit, "-dirty" when built from a modified tree
const char* BuildDate();    // ISO-8601 UTC

}  // namespace doctor

#endif  // DOCTOR_META_BUILD_INFO_H_
