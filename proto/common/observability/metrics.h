// A small thread-safe metrics registry (counters, gauges, histograms with
// labels) rendered in the Prometheus text exposition format 0.0.4.
#ifndef PROTO_COMMON_OBSERVABILITY_METRICS_H_
#define PROTO_COMMON_OBSERVABILITY_METRICS_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace missions::observability {

// One time series of a counter or gauge. Stable address; lock-free updates.
class Cell {
 public:
  void Increment(double by = 1.0);
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// One time series of a histogram. Stable address; lock-free updates.
class HistogramCell {
 public:
  explicit HistogramCell(const std::vector<double>* bounds);
  void Observe(double value);
  // Non-cumulative count of bucket i (i == bounds.size() is +Inf).
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double>* bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

enum class MetricType { kCounter, kGauge, kHistogram };

// A metric name with its label names; WithLabels returns the series for
// label values (created on first use, never removed). Keep the returned
// pointer on hot paths: it stays valid as long as the registry.
class Family {
 public:
  Family(std::string name, std::string help, MetricType type,
         std::vector<std::string> label_names, std::vector<double> bounds);

  // For counters and gauges. Values are matched to label names by position;
  // missing values are "".
  Cell* WithLabels(const std::vector<std::string>& values);
  // For histograms.
  HistogramCell* HistogramWithLabels(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  MetricType type() const { return type_; }
  void Render(std::string* out) const;

 private:
  std::vector<std::string> Normalize(const std::vector<std::string>& values) const;

  const std::string name_, help_;
  const MetricType type_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable absl::Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Cell>> cells_ ABSL_GUARDED_BY(mu_);
  std::map<std::vector<std::string>, std::unique_ptr<HistogramCell>> histograms_
      ABSL_GUARDED_BY(mu_);
};

class MetricsRegistry {
 public:
  // Registering the same name twice returns the existing family.
  Family* Counter(const std::string& name, const std::string& help,
                  std::vector<std::string> label_names = {});
  Family* Gauge(const std::string& name, const std::string& help,
                std::vector<std::string> label_names = {});
  Family* Histogram(const std::string& name, const std::string& help,
                    std::vector<std::string> label_names,
                    std::vector<double> bounds = DefaultBuckets());

  // The Prometheus text format (version 0.0.4), families in name order.
  std::string Render() const;

  // Prometheus' default buckets (.005 .. 10 s).
  static std::vector<double> DefaultBuckets();

  // A process-wide registry, for convenience.
  static MetricsRegistry& Default();

 private:
  Family* Add(const std::string& name, const std::string& help, MetricType type,
              std::vector<std::string> label_names, std::vector<double> bounds);
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_ ABSL_GUARDED_BY(mu_);
};

// Sets build_info{version,revision} = 1.
void SetBuildInfo(MetricsRegistry& registry, const std::string& version,
                  const std::string& revision);

// Label value escaping of the text format: \\, \", \n.
std::string EscapeLabelValue(const std::string& value);
// A sample value: integers without exponent, +Inf/-Inf/NaN.
std::string FormatSampleValue(double value);

}  // namespace missions::observability

#endif  // PROTO_COMMON_OBSERVABILITY_METRICS_H_
