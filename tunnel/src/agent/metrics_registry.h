// MetricsRegistry: counters and gauges rendered in the Prometheus text exposition format 0.0.4,
// for the admin server's /metrics. Small on purpose: no histograms, labels fixed at registration.
//
// Threading: Counter and Gauge updates are lock-free and may come from any thread; registering
// and rendering are thread-safe.
#ifndef TETHER_TUNNEL_AGENT_METRICS_REGISTRY_H_
#define TETHER_TUNNEL_AGENT_METRICS_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace tether::agent {

class Counter {
 public:
  void Add(std::uint64_t amount = 1) { value_.fetch_add(amount, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(std::int64_t value) { value_.store(value, std::memory_order_relaxed); }
  void Add(std::int64_t delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

class MetricsRegistry {
 public:
  // `labels` is the inside of the braces, e.g. `direction="to_upstream"`, or empty. Series of
  // one name share its help text (the first one given). References stay valid for the
  // registry's life.
  Counter& AddCounter(std::string_view name, std::string_view help, std::string_view labels = {});
  Gauge& AddGauge(std::string_view name, std::string_view help, std::string_view labels = {});

  // Every series, grouped by name in registration order, with # HELP and # TYPE lines.
  std::string Render() const;

 private:
  struct Series {
    std::string name;
    std::string help;
    bool counter = false;
    std::string labels;
    const Counter* counter_value = nullptr;
    const Gauge* gauge_value = nullptr;
  };

  mutable std::mutex mutex_;
  std::deque<Counter> counters_;  // deques: references stay valid as they grow
  std::deque<Gauge> gauges_;
  std::deque<Series> series_;
};

}  // namespace tether::agent

#endif  // TETHER_TUNNEL_AGENT_METRICS_REGISTRY_H_
