// synthetic-registry: writes a synthetic registry data file of any size,
// for measuring the services (see report-service/docs/README.md):
//
//   synthetic-registry --missions=1000 --output=/tmp/synthetic-1000.yaml
//   registryctl import /tmp/synthetic-1000.yaml
//
// Exit status: 0 success; 1 the file cannot be written; 2 wrong usage.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "proto/common/command_line.h"
#include "report-service/tools/atomic_file.h"
#include "report-service/tools/synthetic_registry.h"

ABSL_FLAG(int, missions, 1000, "number of missions, 1 to 100000");
ABSL_FLAG(int, year, 2020, "the report year, 1946 to 2099");
ABSL_FLAG(int, paragraphs, 2, "paragraphs per narrative, 1 to 20");
ABSL_FLAG(std::string, output, "", "the data file to write (required)");

int main(int argc, char** argv) {
  missions::ParseCommandLine(
      argc, argv,
      "Writes a synthetic registry data file (YAML) for measurements.\n"
      "Usage: synthetic-registry [--missions=1000] [--year=2020] "
      "--output=FILE");
  missions::report::SyntheticOptions options;
  options.missions = absl::GetFlag(FLAGS_missions);
  options.year = absl::GetFlag(FLAGS_year);
  options.paragraphs = absl::GetFlag(FLAGS_paragraphs);
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output.empty() || options.missions < 1 || options.missions > 100000 ||
      options.year < 1946 || options.year > 2099 || options.paragraphs < 1 ||
      options.paragraphs > 20) {
    std::fprintf(stderr,
                 "synthetic-registry: --output is required; --missions 1 to "
                 "100000, --year 1946 to 2099, --paragraphs 1 to 20\n");
    return 2;
  }
  const std::string yaml = missions::report::ToDataFileYaml(
      missions::report::SyntheticRegistry(options));
  const absl::Status written =
      missions::report::WriteFileAtomically(output, yaml);
  if (!written.ok()) {
    std::fprintf(stderr, "synthetic-registry: %s\n",
                 std::string(written.message()).c_str());
    return 1;
  }
  std::fprintf(stderr, "synthetic-registry: wrote %s (%d missions, %zu bytes)\n",
               output.c_str(), options.missions, yaml.size());
  return 0;
}
