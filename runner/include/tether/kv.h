// Kv: an actor's durable key-value store, kept by the Rivet engine. It survives sleep, crashes
// and migration to another runner, and is deleted when the actor is destroyed.
//
// Keys and values are byte strings (std::string may hold any bytes). Results are in byte order
// of the keys (reversed with KvListOptions::reverse). Keys starting with "\0tether:" are the
// runner's own (it keeps the actor's alarm there): programs cannot write them and never see them. Requests are checked against the engine's limits before they are sent, so an
// oversized request fails at once with InvalidArgument naming the limit. A request made while the
// runner is reconnecting waits for the connection; one not answered within
// RunnerConfig::kv_timeout fails with DeadlineExceeded.
//
// Threading: all member functions are thread-safe. Each operation comes in two forms:
//   - with a callback, which runs on the actor's serial executor (like the actor's other code);
//   - returning a std::future, completed by the network thread, so actor code may block on it
//     (this blocks only the calling actor).
#ifndef TETHER_KV_H_
#define TETHER_KV_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace tether {

// The engine's limits (pegboard actor_kv), checked before sending. The engine measures a key
// after packing it, which adds 2 bytes: 2048 packed bytes are 2046 of the key itself.
struct KvLimits {
  static constexpr std::size_t kKeyOverheadBytes = 2;
  static constexpr std::size_t kMaxKeyBytes = 2048 - kKeyOverheadBytes;
  static constexpr std::size_t kMaxValueBytes = 128 * 1024;
  static constexpr std::size_t kMaxKeysPerRequest = 128;
  // Packed keys plus values of one put.
  static constexpr std::size_t kMaxPutBytes = 976 * 1024;
};

struct KvEntry {
  std::string key;
  std::string value;
  std::int64_t update_ts_ms = 0;  // when it was last written, ms since the epoch

  bool operator==(const KvEntry&) const = default;
};

struct KvListOptions {
  bool reverse = false;
  std::optional<std::uint64_t> limit;  // the engine's default is 16384 entries
};

using KvEntries = std::vector<KvEntry>;
using KvEntriesCallback = std::function<void(absl::StatusOr<KvEntries>)>;
using KvDoneCallback = std::function<void(absl::Status)>;

namespace internal {
class KvChannel;  // how an actor's Kv reaches the runner's network thread
}  // namespace internal

class Kv {
 public:
  // Made by the runner for each actor.
  explicit Kv(std::shared_ptr<internal::KvChannel> channel);

  // The entries of the keys that exist; missing keys are simply absent.
  void Get(std::vector<std::string> keys, KvEntriesCallback done);
  void ListAll(KvListOptions options, KvEntriesCallback done);
  // Keys from `start` (included) to `end`, included unless `end_exclusive`.
  void ListRange(std::string start, std::string end, bool end_exclusive, KvListOptions options,
                 KvEntriesCallback done);
  void ListPrefix(std::string prefix, KvListOptions options, KvEntriesCallback done);
  void Put(std::vector<std::pair<std::string, std::string>> entries, KvDoneCallback done);
  void Delete(std::vector<std::string> keys, KvDoneCallback done);
  // Deletes the keys in [start, end); nothing when start >= end.
  void DeleteRange(std::string start, std::string end, KvDoneCallback done);
  // Deletes every key of the actor.
  void Drop(KvDoneCallback done);

  std::future<absl::StatusOr<KvEntries>> Get(std::vector<std::string> keys);
  std::future<absl::StatusOr<KvEntries>> ListAll(KvListOptions options = {});
  std::future<absl::StatusOr<KvEntries>> ListRange(std::string start, std::string end, bool end_exclusive,
                                                   KvListOptions options = {});
  std::future<absl::StatusOr<KvEntries>> ListPrefix(std::string prefix, KvListOptions options = {});
  std::future<absl::Status> Put(std::vector<std::pair<std::string, std::string>> entries);
  std::future<absl::Status> Delete(std::vector<std::string> keys);
  std::future<absl::Status> DeleteRange(std::string start, std::string end);
  std::future<absl::Status> Drop();

 private:
  std::shared_ptr<internal::KvChannel> channel_;
};

}  // namespace tether

#endif  // TETHER_KV_H_
