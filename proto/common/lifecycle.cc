#include "proto/common/lifecycle.h"

#include <signal.h>
#include <systemd/sd-daemon.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace missions {

void NotifySystemd(std::string_view state) {
  const std::string text(state);
  // unset_environment=0: child processes (none here) could notify too.
  sd_notify(0, text.c_str());
}

int ServeUntilTerminated(RunningServer& server, const observability::Logger& log,
                         const LifecycleOptions& options, const ServeHooks& hooks) {
  NotifySystemd("READY=1\nSTATUS=serving");
  const int signal_number = WaitForTerminationSignal([&] {
    NotifySystemd("RELOADING=1");
    if (hooks.on_hangup) hooks.on_hangup();
    NotifySystemd("READY=1");
  });
  const absl::Time start = absl::Now();
  NotifySystemd("STOPPING=1\nSTATUS=draining");
  server.BeginDrain();
  log.Log(observability::LogLevel::kInfo, "draining: health NOT_SERVING, still serving calls",
          {{"event", "drain"},
           {"signal", signal_number == SIGTERM ? "SIGTERM" : signal_number == SIGINT
                                                               ? "SIGINT"
                                                               : std::to_string(signal_number)},
           {"drain", absl::FormatDuration(options.drain)},
           {"grace", absl::FormatDuration(options.grace)}});
  if (hooks.on_drain_start) hooks.on_drain_start();
  // A second SIGTERM/SIGINT is not waited for here: the drain is bounded.
  absl::SleepFor(options.drain);
  log.Log(observability::LogLevel::kInfo, "shutting down: no new calls, waiting for running ones",
          {{"event", "shutdown"}});
  server.Shutdown(absl::ToChronoMilliseconds(options.grace));
  log.Log(observability::LogLevel::kInfo, "stopped",
          {{"event", "stopped"},
           {"stop_seconds", absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start))}});
  return signal_number;
}

}  // namespace missions
