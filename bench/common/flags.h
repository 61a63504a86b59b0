// Flags: the "--name value" and "--switch" command-line arguments of the benchmark programs.
// Every program validates its own names: Get* of a missing flag returns the default, and a value
// that does not parse is an InvalidArgument naming the flag.
//
// Threading: a plain value type.
#ifndef TETHER_BENCH_COMMON_FLAGS_H_
#define TETHER_BENCH_COMMON_FLAGS_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"

namespace tether::bench {

class Flags {
 public:
  // `switches` are the flags that take no value; every other flag takes the next argument.
  // InvalidArgument for an argument that is not a flag or a flag without its value.
  static absl::StatusOr<Flags> Parse(int argc, char** argv, const std::set<std::string>& switches = {});

  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  std::string GetString(const std::string& name, const std::string& fallback = {}) const;
  absl::StatusOr<std::int64_t> GetInt(const std::string& name, std::int64_t fallback) const;
  // InvalidArgument naming the first flag that is not in `known`.
  absl::Status CheckKnown(const std::set<std::string>& known) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace tether::bench

#endif  // TETHER_BENCH_COMMON_FLAGS_H_
