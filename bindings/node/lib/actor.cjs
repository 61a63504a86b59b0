'use strict';
// RunnerActor: one actor running on this runner, as Runner.actors and Runner.getActor show it
// (the shape of @rivetkit/engine-runner's RunnerActor). The native runner keeps the protocol
// state (command and event indexes, unacknowledged events); this object keeps what JavaScript
// needs: the actor's config, its start promise and its tunneled WebSockets.

const { idsEqual } = require('./ids.cjs');

/** Promise.withResolvers (Node 20 lacks it). */
function promiseWithResolvers() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

class RunnerActor {
  /**
   * @param hibernatingRequests the engine's hibernating WebSockets for this actor at its start
   */
  constructor(actorId, generation, config, hibernatingRequests) {
    this.actorId = actorId;
    this.generation = generation;
    this.config = config;
    this.hibernatingRequests = hibernatingRequests;
    /** Tunneled WebSockets: { gatewayId, requestId, ws } (ws: the internal socket adapter). */
    this.webSockets = [];
    /** Settles when onActorStart does; requests for the actor wait for it. */
    this.actorStartPromise = promiseWithResolvers();
    // A failed start nobody awaits must not become an unhandled rejection (which ends the process).
    this.actorStartPromise.promise.catch(() => {});
    /** Whether restoreHibernatingRequests ran (it may run once per actor start). */
    this.hibernationRestored = false;
    /** Set by Runner.destroyActor: the stop is intended, so the engine destroys the actor. */
    this.stopIntentSent = false;
  }

  getWebSocket(gatewayId, requestId) {
    return this.webSockets.find((entry) => idsEqual(entry.gatewayId, gatewayId) && idsEqual(entry.requestId, requestId))?.ws;
  }

  setWebSocket(gatewayId, requestId, ws) {
    if (this.getWebSocket(gatewayId, requestId) !== undefined) return;
    this.webSockets.push({ gatewayId, requestId, ws });
  }

  deleteWebSocket(gatewayId, requestId) {
    const index = this.webSockets.findIndex((entry) => idsEqual(entry.gatewayId, gatewayId) && idsEqual(entry.requestId, requestId));
    if (index !== -1) this.webSockets.splice(index, 1);
  }
}

module.exports = { RunnerActor, promiseWithResolvers };
