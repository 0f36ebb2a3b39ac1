#include "proto/common/observability/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace missions::observability {

namespace {
void AtomicAdd(std::atomic<double>& a, double by) {
  double old = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(old, old + by, std::memory_order_relaxed)) {
  }
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string LabelSet(const std::vector<std::string>& names,
                     const std::vector<std::string>& values,
                     const std::string& extra_name = "",
                     const std::string& extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "" : ",", names[i], "=\"",
                    EscapeLabelValue(values[i]), "\"");
  }
  if (!extra_name.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", extra_name, "=\"",
                    EscapeLabelValue(extra_value), "\"");
  }
  return out.empty() ? "" : absl::StrCat("{", out, "}");
}
}  // namespace

void Cell::Increment(double by) { AtomicAdd(value_, by); }

HistogramCell::HistogramCell(const std::vector<double>* bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds->size() + 1]) {
  for (size_t i = 0; i <= bounds->size(); ++i) counts_[i].store(0);
}

void HistogramCell::Observe(double value) {
  size_t i = 0;
  while (i < bounds_->size() && value > (*bounds_)[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  AtomicAdd(sum_, value);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  // The shortest form that reads back as the same double: "0.00025", not
  // "0.00025000000000000001" (bucket bounds are labels people read).
  char buf[64];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

Family::Family(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), type_(type),
      label_names_(std::move(label_names)), bounds_(std::move(bounds)) {}

std::vector<std::string> Family::Normalize(const std::vector<std::string>& values) const {
  std::vector<std::string> v = values;
  v.resize(label_names_.size());
  return v;
}

Cell* Family::WithLabels(const std::vector<std::string>& values) {
  std::vector<std::string> key = Normalize(values);
  absl::MutexLock lock(&mu_);
  auto& cell = cells_[key];
  if (cell == nullptr) cell = std::make_unique<Cell>();
  return cell.get();
}

HistogramCell* Family::HistogramWithLabels(const std::vector<std::string>& values) {
  std::vector<std::string> key = Normalize(values);
  absl::MutexLock lock(&mu_);
  auto& cell = histograms_[key];
  if (cell == nullptr) cell = std::make_unique<HistogramCell>(&bounds_);
  return cell.get();
}

void Family::Render(std::string* out) const {
  const char* type = type_ == MetricType::kCounter ? "counter"
                     : type_ == MetricType::kGauge ? "gauge" : "histogram";
  absl::StrAppend(out, "# HELP ", name_, " ", EscapeHelp(help_), "\n");
  absl::StrAppend(out, "# TYPE ", name_, " ", type, "\n");
  absl::MutexLock lock(&mu_);
  for (const auto& [values, cell] : cells_) {
    absl::StrAppend(out, name_, LabelSet(label_names_, values), " ",
                    FormatSampleValue(cell->value()), "\n");
  }
  for (const auto& [values, cell] : histograms_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += cell->bucket(i);
      std::string le = i < bounds_.size() ? FormatSampleValue(bounds_[i]) : "+Inf";
      absl::StrAppend(out, name_, "_bucket", LabelSet(label_names_, values, "le", le),
                      " ", cumulative, "\n");
    }
    absl::StrAppend(out, name_, "_sum", LabelSet(label_names_, values), " ",
                    FormatSampleValue(cell->sum()), "\n");
    absl::StrAppend(out, name_, "_count", LabelSet(label_names_, values), " ",
                    cumulative, "\n");
  }
}

Family* MetricsRegistry::Add(const std::string& name, const std::string& help,
                             MetricType type, std::vector<std::string> label_names,
                             std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  auto& family = families_[name];
  if (family == nullptr) {
    family = std::make_unique<Family>(name, help, type, std::move(label_names),
                                      std::move(bounds));
  }
  return family.get();
}

Family* MetricsRegistry::Counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  return Add(name, help, MetricType::kCounter, std::move(label_names), {});
}
Family* MetricsRegistry::Gauge(const std::string& name, const std::string& help,
                               std::vector<std::string> label_names) {
  return Add(name, help, MetricType::kGauge, std::move(label_names), {});
}
Family* MetricsRegistry::Histogram(const std::string& name, const std::string& help,
                                   std::vector<std::string> label_names,
                                   std::vector<double> bounds) {
  return Add(name, help, MetricType::kHistogram, std::move(label_names),
             std::move(bounds));
}

std::string MetricsRegistry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Render(&out);
  return out;
}

std::vector<double> MetricsRegistry::DefaultBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry& MetricsRegistry::Default() {
  static MetricsRegistry* registry = new MetricsRegistry;
  return *registry;
}

void SetBuildInfo(MetricsRegistry& registry, const std::string& version,
                  const std::string& revision) {
  registry.Gauge("build_info", "Build version and source revision; always 1.",
                 {"version", "revision"})
      ->WithLabels({version, revision})
      ->Set(1);
}

}  // namespace missions::observability
