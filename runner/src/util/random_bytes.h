// Random bytes from the kernel (getrandom), for seeds and runner keys. Not std::random_device:
// GCC 12's libstdc++ implements it with arc4random, which needs glibc 2.36, and the Node addon
// must load on glibc 2.34 (Amazon Linux 2023, Vercel).
//
// Threading: thread-safe.
#ifndef TETHER_RUNNER_UTIL_RANDOM_BYTES_H_
#define TETHER_RUNNER_UTIL_RANDOM_BYTES_H_

#include <cstdint>

namespace tether::util {

// 64 random bits; never fails (falls back to the clock and address entropy if getrandom does).
std::uint64_t RandomSeed();

}  // namespace tether::util

#endif  // TETHER_RUNNER_UTIL_RANDOM_BYTES_H_
