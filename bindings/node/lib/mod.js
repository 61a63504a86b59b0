// The ESM entry point of @tether/engine-runner (package.json "import"): the same objects as
// mod.cjs (one implementation; `instanceof` holds across both entry points).
import cjs from './mod.cjs';

export const { Runner, RunnerActor, RunnerShutdownError, idToStr } = cjs;
