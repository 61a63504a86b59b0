// Section 8's file sizes: the Node addon's .node as the build leaves it and stripped as
// bindings/node/pack.sh ships it (the unstripped one carries the debug info of a RelWithDebInfo
// or the symbol tables of a Release build).
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "driver/process.h"
#include "driver/scenarios.h"

namespace tether::bench {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kStripTimeout{60000};

absl::StatusOr<double> FileMiB(const std::string& path) {
  std::error_code error;
  const std::uintmax_t bytes = fs::file_size(path, error);
  if (error) return absl::NotFoundError(absl::StrCat(path, ": ", error.message()));
  return static_cast<double>(bytes) / (1024 * 1024);
}

}  // namespace

absl::Status RunAddonSizeScenario(const BenchConfig& config, Results& results) {
  absl::StatusOr<double> built = FileMiB(config.paths.addon);
  if (!built.ok()) return built.status();
  // A copy, so the .node the runs load keeps its symbols for profiling.
  const std::string stripped = absl::StrCat(config.work_dir, "/addon-stripped.node");
  absl::StatusOr<std::string> strip =
      RunAndCapture({"strip", "--strip-unneeded", "-o", stripped, config.paths.addon},
                    absl::StrCat(config.work_dir, "/addon-strip.log"), kStripTimeout);
  if (!strip.ok()) return strip.status();
  absl::StatusOr<double> shipped = FileMiB(stripped);
  std::error_code ignored;
  fs::remove(stripped, ignored);
  if (!shipped.ok()) return shipped.status();
  results.Add(kAddonSection, absl::StrCat(".node as built (", TETHER_BENCH_BUILD_TYPE, ")"), "MiB", kAddon, *built);
  results.Add(kAddonSection, ".node stripped (strip --strip-unneeded, as pack.sh ships it)", "MiB", kAddon,
              *shipped);
  return absl::OkStatus();
}

}  // namespace tether::bench
