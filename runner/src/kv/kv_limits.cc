// The engine's KV limits (pegboard actor_kv), checked before a request is sent so the caller
// learns which limit it broke instead of getting a generic engine error.
#include <variant>

#include "absl/strings/str_cat.h"
#include "kv/kv_channel.h"
#include "tether/kv.h"

namespace tether::internal {
namespace {

namespace v7 = proto::v7;

absl::Status CheckKeys(const std::vector<bare::Bytes>& keys, bool limit_count) {
  if (limit_count && keys.size() > KvLimits::kMaxKeysPerRequest) {
    return absl::InvalidArgumentError(absl::StrCat("KV request has ", keys.size(), " keys; the limit is ",
                                                   KvLimits::kMaxKeysPerRequest, " keys per request"));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].size() > KvLimits::kMaxKeyBytes) {
      return absl::InvalidArgumentError(absl::StrCat("KV key #", i, " is ", keys[i].size(), " bytes; the limit is ",
                                                     KvLimits::kMaxKeyBytes, " bytes per key"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPut(const v7::KvPutRequest& put) {
  if (put.keys.size() != put.values.size()) return absl::InvalidArgumentError("KV put needs one value per key");
  if (absl::Status s = CheckKeys(put.keys, true); !s.ok()) return s;
  std::size_t total = 0;
  for (std::size_t i = 0; i < put.values.size(); ++i) {
    if (put.values[i].size() > KvLimits::kMaxValueBytes) {
      return absl::InvalidArgumentError(absl::StrCat("KV value #", i, " is ", put.values[i].size(),
                                                     " bytes; the limit is ", KvLimits::kMaxValueBytes,
                                                     " bytes per value"));
    }
    total += put.keys[i].size() + KvLimits::kKeyOverheadBytes + put.values[i].size();
  }
  if (total > KvLimits::kMaxPutBytes) {
    return absl::InvalidArgumentError(absl::StrCat("KV put is ", total,
                                                   " bytes of keys (2 more each, as the engine counts them) and "
                                                   "values; the limit is ",
                                                   KvLimits::kMaxPutBytes, " bytes per put"));
  }
  return absl::OkStatus();
}

absl::Status CheckQuery(const v7::KvListQuery& query) {
  if (const auto* range = std::get_if<v7::KvListRangeQuery>(&query)) return CheckKeys({range->start, range->end}, false);
  if (const auto* prefix = std::get_if<v7::KvListPrefixQuery>(&query)) return CheckKeys({prefix->key}, false);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckKvLimits(const v7::KvRequestData& request) {
  if (const auto* get = std::get_if<v7::KvGetRequest>(&request)) return CheckKeys(get->keys, true);
  if (const auto* del = std::get_if<v7::KvDeleteRequest>(&request)) return CheckKeys(del->keys, true);
  if (const auto* put = std::get_if<v7::KvPutRequest>(&request)) return CheckPut(*put);
  if (const auto* list = std::get_if<v7::KvListRequest>(&request)) return CheckQuery(list->query);
  if (const auto* range = std::get_if<v7::KvDeleteRangeRequest>(&request)) {
    return CheckKeys({range->start, range->end}, false);
  }
  return absl::OkStatus();
}

}  // namespace tether::internal
