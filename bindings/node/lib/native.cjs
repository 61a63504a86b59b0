'use strict';
// Loads the native addon; both façades (mod.js, mod.cjs) use this one file, so the addon is
// loaded once per process whatever the module format.
//
//   TETHER_NODE_ADDON=/abs/path/tether.linux-x64-gnu.node  a local build (development, tests);
//                                                          when set, it is the only one tried
//   otherwise                                              the platform package that npm
//                                                          installed from optionalDependencies
//
// The platform package is required by a literal string so bundlers and Vercel's file tracer
// (@vercel/nft) see it and ship the binary. Loading does no I/O and starts no thread.

const path = require('node:path');

const PLATFORM_PACKAGES = ['@tether/engine-runner-linux-x64-gnu'];

function describePlatform() {
  let libc = '';
  if (process.platform === 'linux') {
    // Only on failure: the report is slow to build.
    const header = process.report && typeof process.report.getReport === 'function'
      ? process.report.getReport().header
      : undefined;
    libc = header && header.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'musl or unknown libc';
  }
  return `${process.platform}-${process.arch}${libc ? ` (${libc})` : ''}`;
}

function loadError(what, cause, hint) {
  const reason = cause && cause.message ? cause.message : String(cause);
  return new Error(
    `@tether/engine-runner: cannot load the native addon on ${describePlatform()}, Node ${process.version}: ` +
      `${what} failed: ${reason}${hint ? `\n${hint}` : ''}`,
    { cause });
}

function load() {
  const override = process.env.TETHER_NODE_ADDON;
  if (override) {
    if (!path.isAbsolute(override)) {
      throw loadError('TETHER_NODE_ADDON', new Error(`'${override}' is not an absolute path to a .node file`));
    }
    try {
      return require(override);
    } catch (error) {
      throw loadError(`require(TETHER_NODE_ADDON=${override})`, error);
    }
  }
  try {
    return require('@tether/engine-runner-linux-x64-gnu');
  } catch (error) {
    throw loadError(
      "require('@tether/engine-runner-linux-x64-gnu')",
      error,
      `Prebuilt binaries: ${PLATFORM_PACKAGES.join(', ')} (Linux x64, glibc >= 2.34). ` +
        'They are optional dependencies of @tether/engine-runner: check that optional dependencies were ' +
        'installed (not --omit=optional / --no-optional) on the platform that runs the code.');
  }
}

module.exports = load();
