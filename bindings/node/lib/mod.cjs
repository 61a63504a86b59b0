'use strict';
// The CommonJS entry point of @tether/engine-runner (package.json "require"): the exports of
// @rivetkit/engine-runner 2.2.1. Importing it loads nothing native (the first Runner does).

const { Runner } = require('./runner.cjs');
const { RunnerActor } = require('./actor.cjs');
const { RunnerShutdownError } = require('./errors.cjs');
const { idToStr } = require('./ids.cjs');

module.exports = { Runner, RunnerActor, RunnerShutdownError, idToStr };
