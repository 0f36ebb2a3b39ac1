#include "proto/common/command_line.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/internal/parse.h"
#include "absl/flags/internal/program_name.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proto/common/version.h"

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
  config.version_string = [] {
    return absl::StrCat(absl::flags_internal::ShortProgramInvocationName(), " ",
                        Version(), " (source revision ", SourceRevision(), ")\n");
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  // absl::ParseCommandLine exits 1 after --help. Asking for help is not an
  // error, so the usage flags are handled here: --help, --helpfull and
  // --version print to stdout and exit 0. (Abseil 20220623's internal
  // parser entry point; the public one differs only in the usage handling.)
  std::vector<char*> positional = absl::flags_internal::ParseCommandLineImpl(
      argc, argv, absl::flags_internal::ArgvListAction::kRemoveParsedArgs,
      absl::flags_internal::UsageFlagsAction::kIgnoreUsage,
      absl::flags_internal::OnUndefinedFlag::kAbortIfUndefined);
  if (absl::flags_internal::HandleUsageFlags(std::cout, usage) != -1) {
    std::cout.flush();
    std::exit(0);
  }
  return positional;
}

}  // namespace missions
