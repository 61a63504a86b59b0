// EventLoop: an io_context run by one thread. Timers are steady_timers owned by their pending
// wait; connections are Beast sessions (websocket_client.cc).
#include "net/event_loop.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/websocket_client.h"

namespace tether::net {
namespace {

namespace asio = boost::asio;

// What outlives the EventLoop object as long as a Timer handle still needs it.
struct LoopCore {
  asio::io_context io{1};  // one thread runs it
  std::thread::id thread_id;

  // Post()'s queue. Waking the loop thread from another thread is what costs (Asio interrupts
  // epoll_wait with epoll_ctl on its eventfd, then a context switch), so posts are coalesced: the
  // first post of a burst schedules one Drain on the io_context, later ones just join the queue,
  // and the Drain runs all of them. Actor code typically posts twice per handled message (the
  // reply and the "handled" acknowledgement), and several actors' posts pile up while the loop
  // thread is busy.
  std::mutex posted_mutex;
  std::vector<std::function<void()>> posted;  // in posting order
  bool drain_scheduled = false;               // a Drain is in the io_context's queue

  bool InLoopThread() const { return std::this_thread::get_id() == thread_id; }

  void Post(std::function<void()> fn) {
    {
      std::lock_guard lock(posted_mutex);
      posted.push_back(std::move(fn));
      if (std::exchange(drain_scheduled, true)) return;
    }
    asio::post(io, [this] { Drain(); });
  }

  // Loop thread. Takes the whole queue at once; what is posted while it runs (also by the tasks
  // themselves) schedules the next Drain, behind the I/O that is ready by then.
  void Drain() {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(posted_mutex);
      batch.swap(posted);
      drain_scheduled = false;
    }
    for (std::function<void()>& fn : batch) {
      std::exchange(fn, nullptr)();  // released right after it ran, as Asio would
    }
  }
};

// The flag is what guarantees a cancelled callback never runs: it is checked on the loop thread
// right before the callback. Cancelling the timer too just releases the callback early.
class TimerHandle final : public Timer {
 public:
  TimerHandle(std::weak_ptr<LoopCore> core, std::shared_ptr<std::atomic<bool>> cancelled,
              std::weak_ptr<asio::steady_timer> timer)
      : core_(std::move(core)), cancelled_(std::move(cancelled)), timer_(std::move(timer)) {}
  ~TimerHandle() override { Cancel(); }

  void Cancel() override {
    if (cancelled_->exchange(true)) return;
    const std::shared_ptr<LoopCore> core = core_.lock();
    if (!core) return;  // the loop is gone, and the timer with it
    auto cancel_timer = [timer = timer_] {
      if (const auto live = timer.lock()) live->cancel();
    };
    // A steady_timer is not thread-safe: only the loop thread touches it once it waits.
    if (core->InLoopThread()) {
      cancel_timer();
    } else {
      asio::post(core->io, std::move(cancel_timer));
    }
  }

 private:
  std::weak_ptr<LoopCore> core_;
  std::shared_ptr<std::atomic<bool>> cancelled_;
  std::weak_ptr<asio::steady_timer> timer_;
};

class EventLoopImpl final : public EventLoop {
 public:
  EventLoopImpl() : thread_([core = core_.get()] { core->io.run(); }) { core_->thread_id = thread_.get_id(); }

  // Must not run on the loop thread (it joins it).
  ~EventLoopImpl() override {
    core_->io.stop();
    thread_.join();
    for (const std::weak_ptr<internal::WebSocketSession>& session : sessions_) {
      if (const auto live = session.lock()) live->Shutdown();
    }
  }

  void Post(std::function<void()> fn) override { core_->Post(std::move(fn)); }

  std::unique_ptr<Timer> RunAfter(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    // The pending wait owns the timer, so nothing keeps it once it fired or was cancelled.
    // Distinct Asio objects may be used from different threads, so this may run on any thread.
    auto timer = std::make_shared<asio::steady_timer>(core_->io, delay);
    std::weak_ptr<asio::steady_timer> weak_timer = timer;
    timer->async_wait([timer, cancelled, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec && !cancelled->load()) fn();
    });
    return std::make_unique<TimerHandle>(core_, std::move(cancelled), std::move(weak_timer));
  }

  bool InLoopThread() const override { return core_->InLoopThread(); }

  std::unique_ptr<WebSocketConnection> Connect(WebSocketOptions options, WebSocketHandler* handler) override {
    std::erase_if(sessions_, [](const std::weak_ptr<internal::WebSocketSession>& s) { return s.expired(); });
    internal::StartedWebSocket started = internal::StartWebSocket(core_->io, std::move(options), handler);
    sessions_.push_back(std::move(started.session));
    return std::move(started.connection);
  }

 private:
  const std::shared_ptr<LoopCore> core_ = std::make_shared<LoopCore>();
  // Keeps run() going while there is nothing to do.
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(core_->io);
  // Loop thread only, then the destructor: every connection, to shut down those still alive.
  std::vector<std::weak_ptr<internal::WebSocketSession>> sessions_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace

std::unique_ptr<EventLoop> EventLoop::Create() { return std::make_unique<EventLoopImpl>(); }

}  // namespace tether::net
