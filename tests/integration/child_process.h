// Starting the real binaries from tests: a child process with its output
// captured in files, and helpers to wait for a server to listen.
#ifndef TESTS_INTEGRATION_CHILD_PROCESS_H_
#define TESTS_INTEGRATION_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace missions::testing {

// The result of a command run to completion.
struct CommandResult {
  int exit_code = -1;  // -1 if it was killed or timed out
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs `argv` to completion (killing it after `timeout`), capturing its
// output through files in `scratch_dir`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& scratch_dir,
                         absl::Duration timeout = absl::Seconds(60));

// A running child process. Destroying it sends SIGTERM, waits up to five
// seconds, then SIGKILL.
class ChildProcess {
 public:
  // Starts `argv` with standard error written to `stderr_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, const std::string& stderr_path);
  ~ChildProcess();

  // Waits until standard error holds a line containing `marker`; returns
  // that line. DeadlineExceeded after `timeout`, FailedPrecondition if the
  // process exited first (with its output in the message).
  absl::StatusOr<std::string> WaitForLine(const std::string& marker,
                                          absl::Duration timeout);

  // Waits for a server's "listening on HOST:PORT" line; returns the port.
  absl::StatusOr<int> WaitForPort(absl::Duration timeout = absl::Seconds(20));

  // Sends SIGTERM and waits for the exit; returns the exit code (-1 if it
  // had to be killed).
  int Stop();

  // Sends SIGKILL and reaps the process.
  void Kill();

  std::string StderrText() const;
  pid_t pid() const { return pid_; }

 private:
  ChildProcess(pid_t pid, std::string stderr_path)
      : pid_(pid), stderr_path_(std::move(stderr_path)) {}

  pid_t pid_;
  std::string stderr_path_;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// Creates a fresh temporary directory for one test.
std::string MakeTempDir();

// Reads a whole file ("" if it cannot be read).
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace missions::testing

#endif  // TESTS_INTEGRATION_CHILD_PROCESS_H_
