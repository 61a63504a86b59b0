// A RivetKit 2.2.1 app, unchanged from what runs on the official runner: one `counter` actor with
// state, actions and an event. What makes it run on tether is only package.json's `overrides`
// line, which points `@rivetkit/engine-runner` (the runner rivetkit's engine driver loads) at
// `@tether/engine-runner`.
import { actor, event, setup } from "rivetkit";

export const counter = actor({
  state: { count: 0 },
  events: { newCount: event() },
  actions: {
    increment: (c, amount) => {
      c.state.count += amount;
      c.broadcast("newCount", c.state.count);
      return c.state.count;
    },
    getCount: (c) => c.state.count,
  },
});

export const registry = setup({ use: { counter } });
