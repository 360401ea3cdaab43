/* graphgrad explorer, the page's state and the one function that changes it. page.py joins these files, in the
   order it names, into one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- the state: what the page shows is a function of it alone ----------------------------------- */

// step: steps done (0 .. steps); playing: the play timer runs; selected: the node whose influence chain
// is shown (null: none); query: the search box's text; hit: Enter presses in the search box since it
// last changed (the view moves to hit number `hit` of the drawn hits); tip: the hovered node and where
// the pointer is in the page ({node, x, y}), or null.
const START = Object.freeze({ step: 0, playing: false, selected: null, query: "", hit: -1, tip: null });

// The new state after an action: every control, key and script call is one of these.
function update(state, action, steps) {
  const at = (k) => Math.max(0, Math.min(steps, Math.round(Number(k)) || 0));
  switch (action.type) {
    case "go":  // buttons, the slider, the keys, graphgrad.step: a step, and the playing stops
      return { ...state, step: at(action.step), playing: false };
    case "tick": {  // the play timer: one step on, stopping at the end
      const step = at(state.step + 1);
      return { ...state, step, playing: state.playing && step < steps };
    }
    case "play":  // play from the start when at the end; pause when playing
      return state.playing ? { ...state, playing: false } : { ...state, playing: true, step: state.step >= steps ? 0 : state.step };
    case "select":  // graphgrad.select: a node's chain, or none
      return { ...state, selected: action.node };
    case "click":  // a click on a node toggles its chain; a click on nothing closes the tooltip
      if (action.node === null) return { ...state, tip: null };
      return { ...state, selected: state.selected === action.node ? null : action.node };
    case "escape":
      return { ...state, selected: null, tip: null };
    case "search":
      return { ...state, query: action.query, hit: -1, tip: null };
    case "next hit":
      return { ...state, hit: state.hit + 1 };
    case "hover":  // the pointer over a node (its tooltip) or over nothing
      return { ...state, tip: action.node === null ? null : { node: action.node, x: action.x, y: action.y } };
    default:
      throw new Error(`graphgrad: no action ${action.type}`);
  }
}
