#include "tunnel/hibernation_store.h"

#include <algorithm>
#include <memory>
#include <string_view>

#include "log.h"
#include "tether/kv.h"

namespace tether::tunnel {
namespace {

namespace v7 = proto::v7;

std::string RecordKeyPrefix() { return std::string(internal::kReservedKeyPrefix) + "ws/"; }

bare::Bytes RecordKey(const RequestKey& key) {
  std::string text = RecordKeyPrefix();
  text.append(key.first.begin(), key.first.end());
  text.append(key.second.begin(), key.second.end());
  return bare::Bytes(text.begin(), text.end());
}

// Counts the calls still to answer and reports the first error after the last one.
struct Countdown {
  std::size_t remaining;
  absl::Status first_error;
  std::function<void(absl::Status)> done;

  void Finish(const absl::Status& status) {
    if (!status.ok() && first_error.ok()) first_error = status;
    if (--remaining == 0) done(first_error);
  }
};

}  // namespace

absl::StatusOr<bare::Bytes> HibernationStore::Encode(const HibernatingSocket& record) {
  absl::StatusOr<bare::Bytes> bytes = bare::Encode(record);
  if (bytes.ok() && bytes->size() > KvLimits::kMaxValueBytes) {
    return absl::InvalidArgumentError("the socket's path, headers and attachment are over the KV value limit");
  }
  return bytes;
}

bool HibernationStore::IsRecordKey(const bare::Bytes& key) {
  const std::string prefix = RecordKeyPrefix();
  return key.size() == prefix.size() + 8 && std::equal(prefix.begin(), prefix.end(), key.begin());
}

void HibernationStore::Save(const std::string& actor_id, const std::vector<HibernatingSocket>& records,
                            std::function<void(absl::Status)> done) {
  std::vector<v7::KvPutRequest> puts(1);
  std::size_t put_bytes = 0;
  absl::Status encode_error;
  for (const HibernatingSocket& record : records) {
    absl::StatusOr<bare::Bytes> value = Encode(record);
    if (!value.ok()) {
      encode_error = value.status();
      continue;
    }
    bare::Bytes key = RecordKey(KeyOf(record));
    const std::size_t bytes = key.size() + KvLimits::kKeyOverheadBytes + value->size();
    if (puts.back().keys.size() == KvLimits::kMaxKeysPerRequest || put_bytes + bytes > KvLimits::kMaxPutBytes) {
      puts.emplace_back();
      put_bytes = 0;
    }
    put_bytes += bytes;
    puts.back().keys.push_back(std::move(key));
    puts.back().values.push_back(*std::move(value));
  }
  std::erase_if(puts, [](const v7::KvPutRequest& put) { return put.keys.empty(); });
  if (puts.empty()) return done(encode_error);
  auto countdown = std::make_shared<Countdown>(Countdown{puts.size(), encode_error, std::move(done)});
  for (v7::KvPutRequest& put : puts) {
    kv_(actor_id, std::move(put), [countdown](absl::StatusOr<v7::KvResponseData> response) {
      countdown->Finish(response.status());
    });
  }
}

void HibernationStore::Remove(const std::string& actor_id, const RequestKey& key) {
  kv_(actor_id, v7::KvDeleteRequest{{RecordKey(key)}}, [actor_id](absl::StatusOr<v7::KvResponseData> response) {
    if (!response.ok()) {
      log::Write(LogLevel::kWarn, "could not delete a closed WebSocket's hibernation record",
                 {{"actor_id", actor_id}, {"error", std::string(response.status().message())}});
    }
  });
}

std::vector<HibernatingSocket> HibernationStore::Parse(const std::string& actor_id, const v7::KvListResponse& listing) {
  std::vector<HibernatingSocket> records;
  for (std::size_t i = 0; i < listing.keys.size() && i < listing.values.size(); ++i) {
    if (!IsRecordKey(listing.keys[i])) continue;
    absl::StatusOr<HibernatingSocket> record = bare::Decode<HibernatingSocket>(listing.values[i]);
    if (!record.ok()) {
      log::Write(LogLevel::kWarn, "skipping an unreadable WebSocket hibernation record",
                 {{"actor_id", actor_id}, {"error", std::string(record.status().message())}});
      continue;
    }
    records.push_back(*std::move(record));
  }
  return records;
}

}  // namespace tether::tunnel
