// The range controls in the top bar: the 7/30/90 days buttons and the typed days (both included, UTC).
// The typed days always show the range in use, whichever way it was chosen.
import { dayOf, isDay, viewWindow } from "./periods.js";

/**
 * Wires the controls to the view `state` (`range`, `custom`); `onChange()` after each change.
 * @returns {{ sync: () => void }} shows `state` in the controls
 */
export function createRangeControls({ buttons, fromInput, toInput, state, onChange }) {
  for (const button of buttons) {
    button.addEventListener("click", () => {
      state.range = Number(button.dataset.range);
      state.custom = undefined;
      onChange();
    });
  }
  // Applied once both are real days; a start after the end moves the other day to meet it.
  for (const input of [fromInput, toInput]) {
    input.addEventListener("change", () => {
      let from = fromInput.value;
      let to = toInput.value;
      if (!isDay(from) || !isDay(to)) return;
      if (from > to) [from, to] = input === fromInput ? [from, from] : [to, to];
      state.range = "custom";
      state.custom = { from, to };
      onChange();
    });
  }
  return {
    sync() {
      for (const button of buttons) {
        const active = Number(button.dataset.range) === state.range;
        button.classList.toggle("is-active", active);
        button.setAttribute("aria-pressed", String(active));
      }
      const shown = viewWindow(new Date(), state);
      fromInput.value = dayOf(shown.from);
      toInput.value = dayOf(new Date(shown.to.getTime() - 1));
      fromInput.classList.toggle("is-set", state.range === "custom");
      toInput.classList.toggle("is-set", state.range === "custom");
    },
  };
}
