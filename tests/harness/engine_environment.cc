#include "harness/engine_environment.h"

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether::testing {
namespace {

constexpr std::size_t kLogTailOnFailure = 16 * 1024;

// Set between a successful SetUp and TearDown; GoogleTest owns the environment itself.
LocalEngine* g_engine = nullptr;

void PrintLogTail(const LocalEngine& engine) {
  absl::StatusOr<std::string> log = engine.ReadLog();
  if (!log.ok()) return;
  const std::size_t start = log->size() > kLogTailOnFailure ? log->size() - kLogTailOnFailure : 0;
  std::fprintf(stderr, "--- tail of %s (a test failed) ---\n%s--- end of engine log ---\n",
               engine.log_path().c_str(), log->c_str() + start);
}

}  // namespace

EngineEnvironment::EngineEnvironment(LocalEngineOptions options) : options_(std::move(options)) {}

void EngineEnvironment::SetUp() {
  absl::StatusOr<std::unique_ptr<LocalEngine>> engine = LocalEngine::Start(options_);
  if (!engine.ok()) GTEST_FAIL() << "cannot start the local engine: " << engine.status();
  engine_ = *std::move(engine);
  g_engine = engine_.get();
}

void EngineEnvironment::TearDown() {
  if (engine_ == nullptr) return;
  g_engine = nullptr;
  if (::testing::UnitTest::GetInstance()->Failed()) PrintLogTail(*engine_);
  const absl::Status stopped = engine_->Stop();
  engine_.reset();
  EXPECT_TRUE(stopped.ok()) << "stopping the local engine: " << stopped;
}

LocalEngine& EngineEnvironment::engine() {
  if (g_engine == nullptr) {
    std::fputs(
        "EngineEnvironment::engine() called without a running environment; register "
        "EngineEnvironment with ::testing::AddGlobalTestEnvironment in main()\n",
        stderr);
    std::abort();
  }
  return *g_engine;
}

int RunTestsWithEngine(int argc, char** argv, LocalEngineOptions options) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new EngineEnvironment(std::move(options)));
  return RUN_ALL_TESTS();
}

}  // namespace tether::testing
