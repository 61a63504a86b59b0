#include <gtest/gtest.h>

#include "harness/engine_environment.h"

int main(int argc, char** argv) { return tether::testing::RunTestsWithEngine(argc, argv); }
