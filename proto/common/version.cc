#include "proto/common/version.h"

// Defined for this file only (proto/common/CMakeLists.txt), so that a new
// revision recompiles one file.
#ifndef MISSIONS_VERSION
#error "MISSIONS_VERSION must be defined by the build"
#endif
#ifndef MISSIONS_SOURCE_REVISION
#define MISSIONS_SOURCE_REVISION "unknown"
#endif

namespace missions {

const char* Version() { return MISSIONS_VERSION; }
const char* SourceRevision() { return MISSIONS_SOURCE_REVISION; }

}  // namespace missions
