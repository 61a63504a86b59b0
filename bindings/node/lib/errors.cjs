'use strict';
// Errors of the public API (RunnerShutdownError, as exported by @rivetkit/engine-runner) and the
// helpers that turn any thrown value into text for logs and for the engine.

/** Rejects work that needs the runner after it stopped. Same message and name as the official one. */
class RunnerShutdownError extends Error {
  constructor() {
    super('Runner shut down');
  }
}

/** The message of a thrown value (the engine shows it as the actor's stop reason). */
function errorMessage(error) {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : String(error);
}

/** A thrown value with its stack, for logs. */
function describeError(error) {
  if (error instanceof Error) return error.stack || `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null) {
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

module.exports = { RunnerShutdownError, errorMessage, describeError };
