#include "kv/kv_client.h"

#include "absl/strings/str_cat.h"

namespace tether::kv {

namespace v7 = proto::v7;

KvClient::KvClient(net::EventLoop& loop, std::chrono::milliseconds timeout, SendFn send)
    : loop_(loop), timeout_(timeout), send_(std::move(send)) {}

void KvClient::Submit(std::string actor_id, v7::KvRequestData request, internal::KvResponseCallback done) {
  // Skip ids still in use; 2^32 outstanding requests cannot happen, so this ends.
  while (pending_.contains(next_id_)) ++next_id_;
  const std::uint32_t id = next_id_++;
  Pending& pending = pending_[id] = {std::move(actor_id), std::move(request), std::move(done),
                                     std::chrono::steady_clock::now() + timeout_};
  if (connected_) SendRequest(id, pending);
  ScheduleSweep();
}

void KvClient::OnResponse(v7::ToClientKvResponse response) {
  auto it = pending_.find(response.request_id);
  if (it == pending_.end()) return;  // answered already (a resent request), or timed out
  internal::KvResponseCallback done = std::move(it->second.done);
  pending_.erase(it);
  done(std::move(response.data));
}

void KvClient::OnConnected() {
  connected_ = true;
  for (const auto& [id, pending] : pending_) SendRequest(id, pending);
}

void KvClient::OnDisconnected() { connected_ = false; }

void KvClient::FailAll(const absl::Status& status) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) p.done(status);
}

void KvClient::SendRequest(std::uint32_t id, const Pending& pending) {
  send_(v7::ToServer{v7::ToServerKvRequest{pending.actor_id, id, pending.request}});
}

void KvClient::ScheduleSweep() {
  if (sweep_ != nullptr || pending_.empty()) return;
  sweep_ = loop_.RunAfter(std::chrono::milliseconds(250), [this] {
    sweep_.reset();
    Sweep();
    ScheduleSweep();
  });
}

void KvClient::Sweep() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    internal::KvResponseCallback done = std::move(it->second.done);
    it = pending_.erase(it);
    done(absl::DeadlineExceededError(absl::StrCat("KV request not answered within ", timeout_.count(), " ms",
                                                  connected_ ? "" : " (the runner is not connected)")));
  }
}

}  // namespace tether::kv
