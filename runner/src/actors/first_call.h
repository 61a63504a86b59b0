// FirstCallOnly: the completion a program gets for an asynchronous hook (OnStartAsync,
// OnFetchAsync, ...). Only its first call counts, whether the program answers or throws first
// and the runner answers for it; later calls are ignored.
//
// Threading: the returned function may be called from any thread, any number of times.
#ifndef TETHER_RUNNER_ACTORS_FIRST_CALL_H_
#define TETHER_RUNNER_ACTORS_FIRST_CALL_H_

#include <atomic>
#include <functional>
#include <memory>
#include <utility>

namespace tether::actors {

template <typename... Args, typename Fn>
std::function<void(Args...)> FirstCallOnly(Fn fn) {
  return [called = std::make_shared<std::atomic<bool>>(false), fn = std::move(fn)](Args... args) {
    if (!called->exchange(true)) fn(std::move(args)...);
  };
}

}  // namespace tether::actors

#endif  // TETHER_RUNNER_ACTORS_FIRST_CALL_H_
