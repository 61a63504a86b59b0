// EngineEnvironment starts one LocalEngine for a whole GoogleTest binary, so each test does not
// pay for an engine start. Register it in the test's main():
//
//   ::testing::InitGoogleTest(&argc, argv);
//   ::testing::AddGlobalTestEnvironment(new tether::testing::EngineEnvironment());
//   return RUN_ALL_TESTS();
//
// Tests reach the engine through EngineEnvironment::engine() and may Kill() or Restart() it;
// tests that need other options (e.g. an admin token) start their own LocalEngine instead.
//
// Threading: SetUp and TearDown run on the main thread, as GoogleTest does; engine() may be
// called from any thread between them.

#ifndef TETHER_TESTS_HARNESS_ENGINE_ENVIRONMENT_H_
#define TETHER_TESTS_HARNESS_ENGINE_ENVIRONMENT_H_

#include <memory>

#include <gtest/gtest.h>

#include "harness/local_engine.h"

namespace tether::testing {

class EngineEnvironment : public ::testing::Environment {
 public:
  explicit EngineEnvironment(LocalEngineOptions options = {});

  // Starts the engine; a failure is fatal, so GoogleTest skips every test.
  void SetUp() override;
  // Stops the engine (a failure if it crashed on its own). If any test failed, first prints the
  // tail of the engine log, since the log's temporary directory is removed with the engine.
  void TearDown() override;

  // The engine of the registered environment. Aborts the process when called before SetUp
  // succeeded or after TearDown.
  static LocalEngine& engine();

 private:
  LocalEngineOptions options_;
  std::unique_ptr<LocalEngine> engine_;
};

// main() of a test binary whose tests share one engine started with `options` (e.g. a short
// runner-lost threshold): initializes GoogleTest, registers the EngineEnvironment, runs the tests.
int RunTestsWithEngine(int argc, char** argv, LocalEngineOptions options);

}  // namespace tether::testing

#endif  // TETHER_TESTS_HARNESS_ENGINE_ENVIRONMENT_H_
