// The version of the project's binaries and the source revision they were
// built from, for --version, the build_info metric and the start-up log.
#ifndef PROTO_COMMON_VERSION_H_
#define PROTO_COMMON_VERSION_H_

namespace missions {

// The project version, e.g. "0.9.0" (CMake's project(VERSION)).
const char* Version();

// The git commit the build was configured from (short hash, "-dirty" when
// the tree had uncommitted changes), or "unknown" outside a git checkout.
const char* SourceRevision();

}  // namespace missions

#endif  // PROTO_COMMON_VERSION_H_
