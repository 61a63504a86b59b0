#include "common/flags.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tether::bench {

absl::StatusOr<Flags> Flags::Parse(int argc, char** argv, const std::set<std::string>& switches) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected argument '", arg, "'"));
    }
    const std::string name = arg.substr(2);
    if (switches.count(name) != 0) {
      flags.values_[name] = "true";
      continue;
    }
    if (i + 1 >= argc) return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
    flags.values_[name] = argv[++i];
  }
  return flags;
}

std::string Flags::GetString(const std::string& name, const std::string& fallback) const {
  const auto found = values_.find(name);
  return found == values_.end() ? fallback : found->second;
}

absl::StatusOr<std::int64_t> Flags::GetInt(const std::string& name, std::int64_t fallback) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return fallback;
  std::int64_t value = 0;
  if (!absl::SimpleAtoi(found->second, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " must be an integer, got '", found->second, "'"));
  }
  return value;
}

absl::Status Flags::CheckKnown(const std::set<std::string>& known) const {
  for (const auto& [name, value] : values_) {
    if (known.count(name) == 0) return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
  }
  return absl::OkStatus();
}

}  // namespace tether::bench
