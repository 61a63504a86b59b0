#include "agent/sidecar_grpc_server.h"

#include <chrono>
#include <optional>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tether_sidecar.grpc.pb.h"

namespace tether::agent {
namespace {

// How often a watch checks whether its client left while no event comes.
constexpr std::chrono::milliseconds kWatchPollInterval{250};
// Calls still running this long after the server starts stopping are cancelled.
constexpr std::chrono::seconds kShutdownGrace{2};
// Bounds the sync server's threads: each call, a watch included, holds one while it runs.
constexpr int kMaxServerThreads = 64;

// absl and gRPC share the canonical status codes, number for number.
grpc::Status ToGrpc(const absl::Status& status) {
  return {static_cast<grpc::StatusCode>(status.code()), std::string(status.message())};
}

template <class Response>
grpc::Status Answer(absl::StatusOr<Response> result, Response* response) {
  if (!result.ok()) return ToGrpc(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

class SidecarGrpcService final : public sidecar::Sidecar::Service {
 public:
  explicit SidecarGrpcService(SidecarService& service) : service_(service) {}

  grpc::Status WatchActors(grpc::ServerContext* context, const sidecar::WatchActorsRequest* /*request*/,
                           grpc::ServerWriter<sidecar::ActorEvent>* writer) override {
    const std::shared_ptr<ActorEventQueue> queue = service_.WatchActors();
    while (!context->IsCancelled()) {
      absl::StatusOr<std::optional<ActorEvent>> next = queue->Pop(kWatchPollInterval);
      if (!next.ok()) return ToGrpc(next.status());
      if (next->has_value() && !writer->Write(SidecarService::ToProto(**next))) break;
    }
    return {grpc::StatusCode::CANCELLED, "the watcher left"};
  }

  grpc::Status KvGet(grpc::ServerContext*, const sidecar::KvGetRequest* request,
                     sidecar::KvGetResponse* response) override {
    return Answer(service_.KvGet(*request), response);
  }
  grpc::Status KvPut(grpc::ServerContext*, const sidecar::KvPutRequest* request,
                     sidecar::KvPutResponse* response) override {
    return Answer(service_.KvPut(*request), response);
  }
  grpc::Status KvDelete(grpc::ServerContext*, const sidecar::KvDeleteRequest* request,
                        sidecar::KvDeleteResponse* response) override {
    return Answer(service_.KvDelete(*request), response);
  }
  grpc::Status KvList(grpc::ServerContext*, const sidecar::KvListRequest* request,
                      sidecar::KvListResponse* response) override {
    return Answer(service_.KvList(*request), response);
  }
  grpc::Status SleepActor(grpc::ServerContext*, const sidecar::SleepActorRequest* request,
                          sidecar::SleepActorResponse* response) override {
    return Answer(service_.SleepActor(*request), response);
  }
  grpc::Status DestroyActor(grpc::ServerContext*, const sidecar::DestroyActorRequest* request,
                            sidecar::DestroyActorResponse* response) override {
    return Answer(service_.DestroyActor(*request), response);
  }
  grpc::Status SetAlarm(grpc::ServerContext*, const sidecar::SetAlarmRequest* request,
                        sidecar::SetAlarmResponse* response) override {
    return Answer(service_.SetAlarm(*request), response);
  }
  grpc::Status ClearAlarm(grpc::ServerContext*, const sidecar::ClearAlarmRequest* request,
                          sidecar::ClearAlarmResponse* response) override {
    return Answer(service_.ClearAlarm(*request), response);
  }
  grpc::Status GetStatus(grpc::ServerContext*, const sidecar::GetStatusRequest* request,
                         sidecar::GetStatusResponse* response) override {
    return Answer(service_.GetStatus(*request), response);
  }
  grpc::Status ListActors(grpc::ServerContext*, const sidecar::ListActorsRequest* request,
                          sidecar::ListActorsResponse* response) override {
    return Answer(service_.ListActors(*request), response);
  }
  grpc::Status Drain(grpc::ServerContext*, const sidecar::DrainRequest* request,
                     sidecar::DrainResponse* response) override {
    return Answer(service_.Drain(*request), response);
  }

 private:
  SidecarService& service_;
};

}  // namespace

struct SidecarGrpcServer::Impl {
  explicit Impl(SidecarService& sidecar) : service(sidecar), grpc_service(sidecar) {}

  SidecarService& service;
  SidecarGrpcService grpc_service;
  std::unique_ptr<grpc::Server> server;
};

absl::StatusOr<std::unique_ptr<SidecarGrpcServer>> SidecarGrpcServer::Start(const std::string& address,
                                                                             SidecarService& service) {
  auto impl = std::make_unique<Impl>(service);
  grpc::ResourceQuota quota("tether-sidecar");
  quota.SetMaxThreads(kMaxServerThreads);
  grpc::ServerBuilder builder;
  builder.SetResourceQuota(quota);
  int port = 0;
  // Insecure: the address is a Unix socket or a loopback port (AgentConfig checks it).
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&impl->grpc_service);
  impl->server = builder.BuildAndStart();
  const bool unix_socket = absl::StartsWith(address, "unix:");
  if (impl->server == nullptr || (!unix_socket && port == 0)) {
    return absl::UnavailableError(absl::StrCat("sidecar: cannot listen on ", address));
  }
  std::string bound = unix_socket ? address : absl::StrCat(address.substr(0, address.rfind(':')), ":", port);
  return std::unique_ptr<SidecarGrpcServer>(new SidecarGrpcServer(std::move(impl), std::move(bound)));
}

SidecarGrpcServer::SidecarGrpcServer(std::unique_ptr<Impl> impl, std::string address)
    : impl_(std::move(impl)), address_(std::move(address)) {}

SidecarGrpcServer::~SidecarGrpcServer() {
  impl_->service.EndWatches();
  impl_->server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  impl_->server->Wait();
}

}  // namespace tether::agent
