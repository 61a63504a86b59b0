// The SDK's log: one logfmt line per event on stderr (`ts=... level=info msg="..." key=value`), the
// same shape the Rivet engine logs in. Lines about an actor carry actor_id, actor_name and
// actor_key. Secrets (the token) are never passed here.
//
// Threading: thread-safe; lines are written whole.
#ifndef TETHER_RUNNER_LOG_H_
#define TETHER_RUNNER_LOG_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "tether/actor.h"
#include "tether/config.h"

namespace tether::log {

struct Field {
  std::string_view key;
  std::string value;
};

void SetLevel(LogLevel level);
bool Enabled(LogLevel level);
void Write(LogLevel level, std::string_view message, std::initializer_list<Field> fields = {});
// Like Write, adding the actor's id, name and key first.
void WriteActor(LogLevel level, const ActorInfo& actor, std::string_view message,
                std::initializer_list<Field> fields = {});

}  // namespace tether::log

#endif  // TETHER_RUNNER_LOG_H_
