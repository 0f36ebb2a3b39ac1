#include "tests/integration/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace missions::testing {
namespace {

std::vector<char*> ArgvPointers(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (const std::string& arg : argv) pointers.push_back(const_cast<char*>(arg.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

// Forks and executes `argv` with stdout and stderr redirected to files.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& out_path,
            const std::string& err_path) {
  std::vector<char*> pointers = ArgvPointers(argv);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null_in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null_in < 0 || out < 0 || err < 0) _exit(126);
    dup2(null_in, 0);
    dup2(out, 1);
    dup2(err, 2);
    // The test runner may block signals; the child must receive them.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(pointers[0], pointers.data());
    _exit(127);
  }
  return pid;
}

// Waits up to `timeout` for `pid`; returns true and sets `status` if it
// exited.
bool WaitWithTimeout(pid_t pid, absl::Duration timeout, int* status) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    const pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid) return true;
    if (absl::Now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int ExitCodeOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/missions-test-XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const char* dir = mkdtemp(buffer.data());
  return dir != nullptr ? std::string(dir) : std::string();
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::string& scratch_dir, absl::Duration timeout) {
  static int counter = 0;
  const std::string base = absl::StrCat(scratch_dir, "/cmd-", getpid(), "-", ++counter);
  const std::string out_path = base + ".out";
  const std::string err_path = base + ".err";
  CommandResult result;
  const pid_t pid = Spawn(argv, out_path, err_path);
  int status = 0;
  if (pid > 0) {
    if (WaitWithTimeout(pid, timeout, &status)) {
      result.exit_code = ExitCodeOf(status);
    } else {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  result.out = ReadFileOrEmpty(out_path);
  result.err = ReadFileOrEmpty(err_path);
  return result;
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& stderr_path) {
  const pid_t pid = Spawn(argv, "/dev/null", stderr_path);
  if (pid < 0) return absl::InternalError(absl::StrCat("cannot fork for ", argv[0]));
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, stderr_path));
}

ChildProcess::~ChildProcess() { Stop(); }

std::string ChildProcess::StderrText() const { return ReadFileOrEmpty(stderr_path_); }

absl::StatusOr<std::string> ChildProcess::WaitForLine(const std::string& marker,
                                                      absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    for (absl::string_view line : absl::StrSplit(StderrText(), '\n')) {
      if (line.find(marker) != absl::string_view::npos) return std::string(line);
    }
    int status = 0;
    if (!reaped_ && waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      exit_code_ = ExitCodeOf(status);
    }
    if (reaped_) {
      return absl::FailedPreconditionError(
          absl::StrCat("process exited (", exit_code_, ") before '", marker,
                       "':\n", StderrText()));
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no '", marker, "' within the timeout:\n", StderrText()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

absl::StatusOr<int> ChildProcess::WaitForPort(absl::Duration timeout) {
  absl::StatusOr<std::string> line = WaitForLine("listening on ", timeout);
  if (!line.ok()) return line.status();
  // "... listening on 127.0.0.1:PORT (...)"
  const size_t at = line->find("listening on ") + 13;
  const size_t colon = line->find(':', at);
  const size_t end = line->find(' ', colon);
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(line->substr(colon + 1, end - colon - 1), &port)) {
    return absl::InternalError(absl::StrCat("no port in: ", *line));
  }
  return port;
}

int ChildProcess::Stop() {
  if (reaped_) return exit_code_;
  kill(pid_, SIGTERM);
  int status = 0;
  if (WaitWithTimeout(pid_, absl::Seconds(5), &status)) {
    exit_code_ = ExitCodeOf(status);
  } else {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    exit_code_ = -1;
  }
  reaped_ = true;
  return exit_code_;
}

void ChildProcess::Kill() {
  if (reaped_) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  exit_code_ = -1;
}

}  // namespace missions::testing
