#include "util/random_bytes.h"

#include <sys/random.h>

#include <cerrno>
#include <chrono>

namespace tether::util {

std::uint64_t RandomSeed() {
  std::uint64_t seed = 0;
  auto* out = reinterpret_cast<unsigned char*>(&seed);
  std::size_t filled = 0;
  while (filled < sizeof(seed)) {
    const ssize_t got = getrandom(out + filled, sizeof(seed) - filled, 0);
    if (got > 0) {
      filled += static_cast<std::size_t>(got);
    } else if (got < 0 && errno != EINTR) {
      // No getrandom (a very old kernel or a seccomp filter): a seed that still differs per
      // process and per call is enough for backoff jitter and runner keys.
      static int anchor = 0;
      return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
             (reinterpret_cast<std::uintptr_t>(&anchor) << 16) ^ reinterpret_cast<std::uintptr_t>(&seed);
    }
  }
  return seed;
}

}  // namespace tether::util
