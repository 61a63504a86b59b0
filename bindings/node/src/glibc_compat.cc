// arc4random for the addon's own libstdc++, on getrandom. The .node links libstdc++ statically,
// and GCC 12's std::random_device (which Boost.Beast uses to seed its WebSocket masking keys)
// calls arc4random, new in glibc 2.36; Vercel-style hosts run glibc 2.34 (Amazon Linux 2023).
// Defined here, hidden, the linker binds libstdc++'s call to this one instead of glibc's, so the
// addon needs nothing newer than glibc 2.34. The runner's own seeds use getrandom directly.
#include <sys/random.h>

#include <cerrno>
#include <cstdint>

extern "C" [[gnu::visibility("hidden")]] std::uint32_t arc4random() {
  std::uint32_t value = 0;
  auto* out = reinterpret_cast<unsigned char*>(&value);
  std::size_t filled = 0;
  while (filled < sizeof(value)) {
    const ssize_t got = getrandom(out + filled, sizeof(value) - filled, 0);
    if (got > 0) {
      filled += static_cast<std::size_t>(got);
    } else if (errno != EINTR) {
      break;  // no getrandom: what is filled so far still differs per call (masking keys only)
    }
  }
  return value;
}
