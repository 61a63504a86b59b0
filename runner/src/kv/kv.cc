// tether::Kv: builds protocol requests, checks them against the engine's limits, and turns the
// engine's answers into KvEntries or a Status.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "absl/strings/str_cat.h"
#include "kv/kv_channel.h"
#include "tether/kv.h"

namespace tether {
namespace {

namespace v7 = proto::v7;
using internal::KvChannel;

bare::Bytes ToBytes(const std::string& s) { return bare::Bytes(s.begin(), s.end()); }
std::string ToString(const bare::Bytes& b) { return std::string(b.begin(), b.end()); }

std::vector<bare::Bytes> ToBytesList(const std::vector<std::string>& keys) {
  std::vector<bare::Bytes> out;
  out.reserve(keys.size());
  for (const std::string& k : keys) out.push_back(ToBytes(k));
  return out;
}

bool IsReserved(const std::string& key) { return key.starts_with(internal::kReservedKeyPrefix); }

// A program's request: within the engine's limits, and writing none of the runner's own keys.
absl::Status CheckRequest(const v7::KvRequestData& request) {
  const std::vector<bare::Bytes>* written = nullptr;
  if (const auto* put = std::get_if<v7::KvPutRequest>(&request)) written = &put->keys;
  if (const auto* del = std::get_if<v7::KvDeleteRequest>(&request)) written = &del->keys;
  for (std::size_t i = 0; written != nullptr && i < written->size(); ++i) {
    if (IsReserved(ToString((*written)[i]))) {
      return absl::InvalidArgumentError("KV keys starting with \"\\0tether:\" are reserved for the runner");
    }
  }
  return internal::CheckKvLimits(request);
}

absl::Status EngineError(const v7::KvResponseData& response) {
  if (const auto* error = std::get_if<v7::KvErrorResponse>(&response)) {
    return absl::FailedPreconditionError(absl::StrCat("engine KV error: ", error->message));
  }
  return absl::OkStatus();
}

absl::StatusOr<KvEntries> ToEntries(absl::StatusOr<v7::KvResponseData> response) {
  if (!response.ok()) return response.status();
  if (absl::Status error = EngineError(*response); !error.ok()) return error;
  const auto convert = [](const auto& r) -> absl::StatusOr<KvEntries> {
    if (r.keys.size() != r.values.size() || r.keys.size() != r.metadata.size()) {
      return absl::InternalError("engine KV response has keys, values and metadata of different lengths");
    }
    KvEntries entries;
    entries.reserve(r.keys.size());
    for (std::size_t i = 0; i < r.keys.size(); ++i) {
      std::string key = ToString(r.keys[i]);
      if (!IsReserved(key)) entries.push_back({std::move(key), ToString(r.values[i]), r.metadata[i].update_ts});
    }
    return entries;
  };
  if (const auto* get = std::get_if<v7::KvGetResponse>(&*response)) return convert(*get);
  if (const auto* list = std::get_if<v7::KvListResponse>(&*response)) return convert(*list);
  return absl::InternalError("engine answered a KV read with a write acknowledgement");
}

// Get answers in the order the keys were asked for; the API promises byte order.
absl::StatusOr<KvEntries> ToSortedEntries(absl::StatusOr<v7::KvResponseData> response) {
  absl::StatusOr<KvEntries> entries = ToEntries(std::move(response));
  if (entries.ok()) std::sort(entries->begin(), entries->end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  return entries;
}

// Lists ask the engine for one entry more than the limit, since the runner's own key may be among
// them and is dropped here; without that, a limited list could come back short and break paging.
auto ToListEntries(std::optional<std::uint64_t> limit) {
  return [limit](absl::StatusOr<v7::KvResponseData> response) {
    absl::StatusOr<KvEntries> entries = ToEntries(std::move(response));
    if (entries.ok() && limit && entries->size() > *limit) entries->resize(static_cast<std::size_t>(*limit));
    return entries;
  };
}

absl::Status ToDone(absl::StatusOr<v7::KvResponseData> response) {
  if (!response.ok()) return response.status();
  return EngineError(*response);
}

// Sends `request` unless it breaks a limit; `finish` converts the answer and hands it on.
template <typename Result, typename Convert, typename Deliver>
void Send(const std::shared_ptr<KvChannel>& channel, v7::KvRequestData request, Convert convert, Deliver deliver) {
  if (absl::Status invalid = CheckRequest(request); !invalid.ok()) {
    deliver(Result(invalid));
    return;
  }
  channel->Submit(std::move(request), [convert, deliver](absl::StatusOr<v7::KvResponseData> response) {
    deliver(Result(convert(std::move(response))));
  });
}

// The callback forms run `done` on the actor's executor.
template <typename Result>
auto OnActor(const std::shared_ptr<KvChannel>& channel, std::function<void(Result)> done) {
  return [channel, done = std::move(done)](Result result) {
    channel->PostToActor([done, result = std::move(result)]() mutable { done(std::move(result)); });
  };
}

// The future forms complete on whichever thread the answer arrives.
template <typename Result>
std::pair<std::future<Result>, std::function<void(Result)>> Promise() {
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  return {std::move(future), [promise](Result result) { promise->set_value(std::move(result)); }};
}

v7::KvListRequest ListRequest(v7::KvListQuery query, const KvListOptions& options) {
  v7::KvListRequest request;
  request.query = std::move(query);
  if (options.reverse) request.reverse = true;
  if (options.limit) request.limit = *options.limit == UINT64_MAX ? *options.limit : *options.limit + 1;
  return request;
}

// The engine's prefix query ends its range at prefix + 0xff, missing keys whose next byte is 0xff;
// a range up to the next prefix (the prefix with its last byte below 0xff incremented) does not.
v7::KvListQuery PrefixQuery(const std::string& prefix) {
  std::string next = prefix;
  while (!next.empty() && static_cast<unsigned char>(next.back()) == 0xff) next.pop_back();
  if (!next.empty()) {
    next.back() = static_cast<char>(static_cast<unsigned char>(next.back()) + 1);
    return v7::KvListRangeQuery{ToBytes(prefix), ToBytes(next), true};
  }
  if (prefix.empty()) return v7::KvListAllQuery{};
  // All 0xff: every key with this prefix sorts at or below the prefix padded to the longest key.
  std::string end = prefix;
  if (end.size() < KvLimits::kMaxKeyBytes) end.resize(KvLimits::kMaxKeyBytes, '\xff');
  return v7::KvListRangeQuery{ToBytes(prefix), ToBytes(end), false};
}

v7::KvRequestData GetRequest(std::vector<std::string> keys) { return v7::KvGetRequest{ToBytesList(keys)}; }
v7::KvRequestData RangeRequest(std::string start, std::string end, bool exclusive, const KvListOptions& options) {
  return ListRequest(v7::KvListRangeQuery{ToBytes(start), ToBytes(end), exclusive}, options);
}
v7::KvRequestData PrefixRequest(std::string prefix, const KvListOptions& options) {
  return ListRequest(PrefixQuery(prefix), options);
}
v7::KvRequestData PutRequest(const std::vector<std::pair<std::string, std::string>>& entries) {
  v7::KvPutRequest put;
  for (const auto& [k, v] : entries) {
    put.keys.push_back(ToBytes(k));
    put.values.push_back(ToBytes(v));
  }
  return put;
}

}  // namespace

Kv::Kv(std::shared_ptr<KvChannel> channel) : channel_(std::move(channel)) {}

void Kv::Get(std::vector<std::string> keys, KvEntriesCallback done) {
  Send<absl::StatusOr<KvEntries>>(channel_, GetRequest(std::move(keys)), ToSortedEntries,
                                  OnActor(channel_, std::move(done)));
}
void Kv::ListAll(KvListOptions options, KvEntriesCallback done) {
  Send<absl::StatusOr<KvEntries>>(channel_, ListRequest(v7::KvListAllQuery{}, options), ToListEntries(options.limit),
                                  OnActor(channel_, std::move(done)));
}
void Kv::ListRange(std::string start, std::string end, bool end_exclusive, KvListOptions options,
                   KvEntriesCallback done) {
  Send<absl::StatusOr<KvEntries>>(channel_, RangeRequest(std::move(start), std::move(end), end_exclusive, options),
                                  ToListEntries(options.limit), OnActor(channel_, std::move(done)));
}
void Kv::ListPrefix(std::string prefix, KvListOptions options, KvEntriesCallback done) {
  Send<absl::StatusOr<KvEntries>>(channel_, PrefixRequest(std::move(prefix), options), ToListEntries(options.limit),
                                  OnActor(channel_, std::move(done)));
}
void Kv::Put(std::vector<std::pair<std::string, std::string>> entries, KvDoneCallback done) {
  Send<absl::Status>(channel_, PutRequest(entries), ToDone, OnActor(channel_, std::move(done)));
}
void Kv::Delete(std::vector<std::string> keys, KvDoneCallback done) {
  Send<absl::Status>(channel_, v7::KvDeleteRequest{ToBytesList(keys)}, ToDone, OnActor(channel_, std::move(done)));
}
void Kv::DeleteRange(std::string start, std::string end, KvDoneCallback done) {
  Send<absl::Status>(channel_, v7::KvDeleteRangeRequest{ToBytes(start), ToBytes(end)}, ToDone,
                     OnActor(channel_, std::move(done)));
}
void Kv::Drop(KvDoneCallback done) {
  Send<absl::Status>(channel_, v7::KvDropRequest{}, ToDone, OnActor(channel_, std::move(done)));
}

std::future<absl::StatusOr<KvEntries>> Kv::Get(std::vector<std::string> keys) {
  auto [future, deliver] = Promise<absl::StatusOr<KvEntries>>();
  Send<absl::StatusOr<KvEntries>>(channel_, GetRequest(std::move(keys)), ToSortedEntries, deliver);
  return std::move(future);
}
std::future<absl::StatusOr<KvEntries>> Kv::ListAll(KvListOptions options) {
  auto [future, deliver] = Promise<absl::StatusOr<KvEntries>>();
  Send<absl::StatusOr<KvEntries>>(channel_, ListRequest(v7::KvListAllQuery{}, options), ToListEntries(options.limit), deliver);
  return std::move(future);
}
std::future<absl::StatusOr<KvEntries>> Kv::ListRange(std::string start, std::string end, bool end_exclusive,
                                                     KvListOptions options) {
  auto [future, deliver] = Promise<absl::StatusOr<KvEntries>>();
  Send<absl::StatusOr<KvEntries>>(channel_, RangeRequest(std::move(start), std::move(end), end_exclusive, options),
                                  ToListEntries(options.limit), deliver);
  return std::move(future);
}
std::future<absl::StatusOr<KvEntries>> Kv::ListPrefix(std::string prefix, KvListOptions options) {
  auto [future, deliver] = Promise<absl::StatusOr<KvEntries>>();
  Send<absl::StatusOr<KvEntries>>(channel_, PrefixRequest(std::move(prefix), options), ToListEntries(options.limit), deliver);
  return std::move(future);
}
std::future<absl::Status> Kv::Put(std::vector<std::pair<std::string, std::string>> entries) {
  auto [future, deliver] = Promise<absl::Status>();
  Send<absl::Status>(channel_, PutRequest(entries), ToDone, deliver);
  return std::move(future);
}
std::future<absl::Status> Kv::Delete(std::vector<std::string> keys) {
  auto [future, deliver] = Promise<absl::Status>();
  Send<absl::Status>(channel_, v7::KvDeleteRequest{ToBytesList(keys)}, ToDone, deliver);
  return std::move(future);
}
std::future<absl::Status> Kv::DeleteRange(std::string start, std::string end) {
  auto [future, deliver] = Promise<absl::Status>();
  Send<absl::Status>(channel_, v7::KvDeleteRangeRequest{ToBytes(start), ToBytes(end)}, ToDone, deliver);
  return std::move(future);
}
std::future<absl::Status> Kv::Drop() {
  auto [future, deliver] = Promise<absl::Status>();
  Send<absl::Status>(channel_, v7::KvDropRequest{}, ToDone, deliver);
  return std::move(future);
}

}  // namespace tether
