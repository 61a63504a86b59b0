// LogRouter: the SDK's log is process-wide (tether::SetLogSink), while each JavaScript Runner may
// have a logger of its own. Records go to the newest live runner that wants logs, as a "log"
// event on its bridge; with none, they are dropped (the official runner logs nothing without a
// logger). Installed when the first runner asks for logs, never at module load.
//
// Threading: thread-safe; records arrive from the runner's threads.
#ifndef TETHER_BINDINGS_NODE_LOG_ROUTER_H_
#define TETHER_BINDINGS_NODE_LOG_ROUTER_H_

#include <memory>

#include "event_bridge.h"

namespace tether::node {

// Routes the SDK's records to `bridge` while it lives (it is held weakly).
void RouteLogsTo(const std::shared_ptr<EventBridge>& bridge);

}  // namespace tether::node

#endif  // TETHER_BINDINGS_NODE_LOG_ROUTER_H_
