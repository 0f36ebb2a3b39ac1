#include "proto/common/command_line.h"

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"

namespace missions {

std::vector<char*> ParseCommandLine(int argc, char** argv,
                                    absl::string_view usage) {
  absl::FlagsUsageConfig config;
  // Binaries are named registry-server etc., their flags live in
  // registry_server_main.cc, and the flags they share in *_flags.cc:
  // show those, not the libraries' flags.
  config.contains_help_flags = [](absl::string_view path) {
    return absl::EndsWith(path, "_main.cc") || absl::EndsWith(path, "_flags.cc");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace missions
