#include "counter_demo.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "harness/http_client.h"
#include "harness/raw_websocket.h"
#include "harness/rest.h"

namespace tether::demo {
namespace {

using namespace std::chrono_literals;

constexpr char kNamespace[] = "default";
constexpr char kPool[] = "counter-demo";

// Polls `check` every 200 ms until it returns true or `timeout` passes.
template <typename Check>
bool PollFor(std::chrono::milliseconds timeout, Check check) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!check()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(200ms);
  }
  return true;
}

std::string ReadCount(const testing::LocalEngine& engine, const std::string& actor_id) {
  absl::StatusOr<std::string> count = testing::ReadActorKv(engine, kNamespace, actor_id, "count");
  return count.ok() ? *count : "(not stored yet)";
}

// Watches the count over a WebSocket through the gateway: the actor pushes every change.
void ShowWatcher(const testing::LocalEngine& engine, const std::string& actor_id) {
  auto watcher = testing::RawWebSocket::Connect(engine.guard_port(), "/gateway/" + actor_id + "/watch", {"rivet"}, 30s);
  if (!watcher.ok()) {
    std::printf("WebSocket /watch failed: %s\n", std::string(watcher.status().message()).c_str());
    return;
  }
  std::printf("WebSocket /watch through the gateway (the actor pushes each change; we send \"increment\"):\n");
  if (!(*watcher)->SendText("increment").ok()) return;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::vector<std::uint8_t>> message = (*watcher)->Receive(10s);
    if (!message.ok()) return;
    std::printf("  pushed: count = %s\n", std::string(message->begin(), message->end()).c_str());
    std::fflush(stdout);
  }
  (void)(*watcher)->Close();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CounterDemo>> CounterDemo::Start(const testing::LocalEngine& engine) {
  const std::string log_path = engine.data_dir() + "/counter-runner.log";
  absl::StatusOr<std::unique_ptr<testing::ChildProcess>> runner = testing::ChildProcess::Spawn(
      {TETHER_COUNTER_RUNNER},
      {{"RIVET_ENDPOINT", engine.endpoint()}, {"RIVET_NAMESPACE", kNamespace}, {"RIVET_POOL", kPool}},
      log_path);
  if (!runner.ok()) return runner.status();
  auto demo = std::unique_ptr<CounterDemo>(new CounterDemo(*std::move(runner)));
  std::printf("\nStarted the example runner (examples/counter, pid %d, pool \"%s\"); its log: %s\n",
              static_cast<int>(demo->runner_->pid()), kPool, log_path.c_str());

  if (!PollFor(30s, [&] { return demo->RunnerLog().find("connected to the engine") != std::string::npos; })) {
    return absl::DeadlineExceededError(absl::StrCat("the runner did not connect:\n", demo->RunnerLog()));
  }
  absl::StatusOr<std::string> actor_id =
      testing::GetOrCreateActor(engine, kNamespace, {"counter", kPool, "demo", "", "restart"});
  if (!actor_id.ok()) return actor_id.status();
  const auto running = [&] {
    absl::StatusOr<nlohmann::json> actor = testing::GetActor(engine, kNamespace, *actor_id);
    return actor.ok() && actor->contains("connectable_ts") && !(*actor)["connectable_ts"].is_null();
  };
  if (!PollFor(30s, running)) return absl::DeadlineExceededError("the counter actor did not start");
  std::printf("Actor \"counter\" (key \"demo\") is running on the C++ runner: id %s\n", actor_id->c_str());
  std::printf("Its count lives in the actor's KV and goes up every 5 s:\n");
  for (int i = 0; i < 3; ++i) {
    std::printf("  count = %s\n", ReadCount(engine, *actor_id).c_str());
    std::fflush(stdout);
    std::this_thread::sleep_for(5500ms);
  }
  const std::string url = engine.endpoint();
  const std::string gateway = url + "/gateway/" + *actor_id;
  absl::StatusOr<testing::HttpResponse> incremented = testing::HttpRequest("POST", gateway + "/increment");
  if (!incremented.ok()) return incremented.status();
  std::printf("POST %s/increment through the engine's gateway -> %ld, count = %s", gateway.c_str(),
              incremented->status, incremented->body.c_str());
  ShowWatcher(engine, *actor_id);
  const std::string ws_url = "ws" + url.substr(4) + "/gateway/" + *actor_id + "/watch";
  std::printf("Look at it yourself:\n  curl %s/count\n  curl -X POST %s/increment\n", gateway.c_str(),
              gateway.c_str());
  std::printf("  node --experimental-websocket -e \"const w = new WebSocket('%s', ['rivet']); "
              "w.onmessage = (e) => console.log('count', e.data); w.onopen = () => w.send('increment')\"\n",
              ws_url.c_str());
  std::printf("  curl '%s/actors?namespace=%s&actor_ids=%s'\n", url.c_str(), kNamespace, actor_id->c_str());
  std::printf("  curl '%s/actors/%s/kv/keys/Y291bnQ=?namespace=%s'   # \"count\", base64 value\n", url.c_str(),
              actor_id->c_str(), kNamespace);
  std::printf("  build/tunnel/tether proto decode --type ToClient   # paste a frame in hex\n");
  return demo;
}

bool CounterDemo::RunnerExited() { return runner_->WaitFor(0ms).has_value(); }

absl::Status CounterDemo::Stop() {
  runner_->Signal(SIGTERM);
  const std::optional<int> exit_code = runner_->WaitFor(60s);
  if (exit_code == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("the runner did not drain cleanly (exit ",
                                          exit_code ? std::to_string(*exit_code) : "timeout", ")"));
}

}  // namespace tether::demo
