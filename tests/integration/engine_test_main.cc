#include <gtest/gtest.h>

#include "harness/engine_environment.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new tether::testing::EngineEnvironment());
  return RUN_ALL_TESTS();
}
