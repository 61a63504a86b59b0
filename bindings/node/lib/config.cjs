'use strict';
// RunnerConfig: checked in the Runner constructor (a TypeError naming the field, instead of a
// failure later on the engine connection), and translated to the native runner's config.

const { nativeLogSettings } = require('./logging.cjs');

const U32_MAX = 0xffffffff;
const CALLBACKS = ['onConnected', 'onDisconnected', 'onShutdown', 'fetch', 'websocket', 'onActorStart', 'onActorStop'];
const LOGGER_METHODS = ['trace', 'debug', 'info', 'warn', 'error'];
const URL_SCHEMES = ['http:', 'https:', 'ws:', 'wss:'];

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(field, expectation) {
  throw new TypeError(`RunnerConfig.${field} must be ${expectation}`);
}

function checkEndpoint(config, field, optional) {
  const value = config[field];
  if (optional && value === undefined) return;
  if (typeof value !== 'string' || value === '') fail(field, 'an http, https, ws or wss URL');
  let url;
  try {
    url = new URL(value);
  } catch {
    fail(field, `an http, https, ws or wss URL (got '${value}')`);
  }
  if (!URL_SCHEMES.includes(url.protocol)) fail(field, `an http, https, ws or wss URL (got '${value}')`);
}

function checkJsonObject(value, field) {
  if (!isPlainObject(value)) fail(field, 'an object');
  try {
    JSON.stringify(value);
  } catch (error) {
    fail(field, `JSON-serializable (${error.message})`);
  }
}

/** Throws a TypeError naming the first bad field of `config`. */
function validateConfig(config) {
  if (!isPlainObject(config)) throw new TypeError('RunnerConfig must be an object');
  checkEndpoint(config, 'endpoint', false);
  checkEndpoint(config, 'pegboardEndpoint', true);
  if (config.token !== undefined && typeof config.token !== 'string') fail('token', 'a string');
  for (const field of ['namespace', 'runnerName']) {
    if (typeof config[field] !== 'string' || config[field] === '') fail(field, 'a non-empty string');
  }
  if (!Number.isInteger(config.totalSlots) || config.totalSlots < 1 || config.totalSlots > U32_MAX) {
    fail('totalSlots', 'a positive integer');
  }
  if (!Number.isInteger(config.version) || config.version < 0 || config.version > U32_MAX) {
    fail('version', 'a non-negative integer (u32)');
  }
  if (!isPlainObject(config.prepopulateActorNames)) fail('prepopulateActorNames', 'an object');
  for (const [name, entry] of Object.entries(config.prepopulateActorNames)) {
    if (!isPlainObject(entry)) fail(`prepopulateActorNames.${name}`, 'an object { metadata }');
    checkJsonObject(entry.metadata, `prepopulateActorNames.${name}.metadata`);
  }
  if (config.metadata !== undefined) checkJsonObject(config.metadata, 'metadata');
  for (const name of CALLBACKS) {
    if (typeof config[name] !== 'function') fail(name, 'a function');
  }
  if (!isPlainObject(config.hibernatableWebSocket)) fail('hibernatableWebSocket', 'an object { canHibernate }');
  if (typeof config.hibernatableWebSocket.canHibernate !== 'function') fail('hibernatableWebSocket.canHibernate', 'a function');
  if (config.logger !== undefined) {
    const logger = config.logger;
    if (typeof logger !== 'object' || logger === null || LOGGER_METHODS.some((m) => typeof logger[m] !== 'function')) {
      fail('logger', `a pino-compatible logger (with ${LOGGER_METHODS.join(', ')} methods)`);
    }
  }
  if (config.noAutoShutdown !== undefined && typeof config.noAutoShutdown !== 'boolean') fail('noAutoShutdown', 'a boolean');
  if (config.debugLatencyMs !== undefined && !(Number.isFinite(config.debugLatencyMs) && config.debugLatencyMs >= 0)) {
    fail('debugLatencyMs', 'a non-negative number');
  }
}

// PEM roots for wss://, read once, on the first Runner: the .node's static OpenSSL would look in
// Debian's paths, which hosts such as Amazon Linux do not have. Node's bundled roots plus the
// file in NODE_EXTRA_CA_CERTS (which node itself honours for its own TLS).
let trustedRootsPem;

function trustedRoots(warn) {
  if (trustedRootsPem !== undefined) return trustedRootsPem;
  const pems = [...require('node:tls').rootCertificates];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      pems.push(require('node:fs').readFileSync(extra, 'utf8'));
    } catch (error) {
      warn({ msg: 'cannot read NODE_EXTRA_CA_CERTS; using the bundled roots only', path: extra, error: error.message });
    }
  }
  trustedRootsPem = pems.join('\n');
  return trustedRootsPem;
}

/** The NativeRunnerConfig for a validated RunnerConfig. */
function toNativeConfig(config, warn) {
  const prepopulateActorNames = {};
  for (const [name, entry] of Object.entries(config.prepopulateActorNames)) {
    prepopulateActorNames[name] = JSON.stringify(entry.metadata);
  }
  // The official runner connects to pegboardEndpoint when set; the native runner adds the
  // /runners/connect path and the query itself.
  const endpoint = config.pegboardEndpoint || config.endpoint;
  const native = {
    endpoint,
    namespace: config.namespace,
    runnerName: config.runnerName,
    totalSlots: config.totalSlots,
    version: config.version,
    prepopulateActorNames,
    metadataJson: config.metadata === undefined ? '' : JSON.stringify(config.metadata),
    // Building the PEM list costs ~15 ms: only a TLS endpoint needs it.
    trustedRootsPem: /^(https|wss):/i.test(endpoint) ? trustedRoots(warn) : '',
    ...nativeLogSettings(config.logger),
  };
  // As the official runner: an empty token is no token.
  if (config.token) native.token = config.token;
  return native;
}

module.exports = { validateConfig, toNativeConfig };
