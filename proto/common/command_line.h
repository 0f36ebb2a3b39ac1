// Command-line start-up shared by the binaries: usage text, --help that
// lists the binary's own flags, and flag parsing.
#ifndef PROTO_COMMON_COMMAND_LINE_H_
#define PROTO_COMMON_COMMAND_LINE_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace missions {

// Sets the usage text, makes --help list the flags defined in the binary's
// *_main.cc, parses the command line (exiting on --help and on unknown
// flags, with a message) and returns the positional arguments, program
// name first.
std::vector<char*> ParseCommandLine(int argc, char** argv,
                                    absl::string_view usage);

}  // namespace missions

#endif  // PROTO_COMMON_COMMAND_LINE_H_
