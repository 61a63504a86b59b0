#include "harness/rest.h"

#include <cstddef>
#include <random>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tether::testing {
namespace {

constexpr std::size_t kMaxPrefixLength = 40;
constexpr std::size_t kSuffixLength = 10;

// Lowercase letters and digits; other runs become single dashes, none leading or trailing (the
// engine rejects those).
std::string NamespacePrefix(std::string_view raw) {
  std::string prefix;
  for (const char c : raw) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      if (prefix.size() == kMaxPrefixLength) break;
      prefix.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else if (!prefix.empty() && prefix.back() != '-') {
      prefix.push_back('-');
    }
  }
  while (!prefix.empty() && prefix.back() == '-') prefix.pop_back();
  return prefix.empty() ? std::string("ns") : prefix;
}

// Random enough that test processes running in parallel against one engine never collide.
std::string RandomSuffix() {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string suffix;
  for (std::size_t i = 0; i < kSuffixLength; ++i) suffix.push_back(kAlphabet[pick(generator)]);
  return suffix;
}

}  // namespace

HttpHeaders AdminHeaders(const LocalEngine& engine) {
  if (engine.admin_token().empty()) return {};
  return {{"Authorization", absl::StrCat("Bearer ", engine.admin_token())}};
}

absl::StatusOr<std::string> CreateNamespace(const LocalEngine& engine, std::string_view prefix) {
  const std::string name = absl::StrCat(NamespacePrefix(prefix), "-", RandomSuffix());
  const nlohmann::json body = {{"name", name}, {"display_name", name}};
  absl::StatusOr<nlohmann::json> created =
      HttpJson("POST", engine.endpoint() + "/namespaces", body, AdminHeaders(engine));
  if (!created.ok()) return created.status();
  return name;
}

}  // namespace tether::testing
