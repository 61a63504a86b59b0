'use strict';
// The runner's logging: records go to RunnerConfig.logger (pino-compatible, called as
// logger[level]({ msg, ...fields })), both the façade's own and the native runner's (its "log"
// events). Without a logger only errors are printed, to console.error, so a failing user callback
// is never silent.

const NATIVE_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * The native runner's logLevel/logs settings for a logger: its pino level when the native runner
 * knows it ("fatal" sends errors, which pino then filters; "silent" sends nothing), else "info".
 */
function nativeLogSettings(logger) {
  if (!logger) return { logLevel: 'error', logs: false };
  const level = logger.level;
  if (level === 'silent') return { logLevel: 'error', logs: false };
  if (level === 'fatal') return { logLevel: 'error', logs: true };
  return { logLevel: NATIVE_LEVELS.includes(level) ? level : 'info', logs: true };
}

/** Writes one record; never throws (a broken logger must not break the runner). */
function writeLog(logger, level, record) {
  try {
    if (logger) {
      if (typeof logger[level] === 'function') logger[level](record);
    } else if (level === 'error') {
      console.error('@tether/engine-runner:', record);
    }
  } catch (error) {
    console.error('@tether/engine-runner: the logger threw', error, 'while logging', record);
  }
}

module.exports = { nativeLogSettings, writeLog };
