/* graphgrad explorer, the page's state and the one function that changes it. page.py joins these files, in the
   order it names, into one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- the state: what the page shows is a function of it alone ----------------------------------- */

// step: steps done (0 .. steps); playing: the play timer runs; selected: the node whose influence chain
// is shown (null: none); query: the search box's text; hit: Enter presses in the search box since it
// last changed (the view moves to hit number `hit` of the drawn hits); tip: the hovered node and where
// the pointer is in the page ({node, x, y}), or null.
// What a learner changed (an editable page): edits, the leaves given new values ([[leaf, value], ...] in the
// order of the pass, never a leaf at its recorded value); descent, the root's value before and after each
// descent step taken since the last edit ([] when none); lr, the learning rate; refused, a typed text that
// is not a number ({what: a leaf or "lr", text}) or null.
const START = Object.freeze({ step: 0, playing: false, selected: null, query: "", hit: -1, tip: null,
                              edits: Object.freeze([]), descent: Object.freeze([]), lr: 0.01, refused: null });

// The new state after an action: every control, key and script call is one of these. `page` knows the number
// of steps and, on an editable page, the live model that a descent step asks for the new values.
function update(state, action, page) {
  const at = (k) => Math.max(0, Math.min(page.steps, Math.round(Number(k)) || 0));
  switch (action.type) {
    case "go":  // buttons, the slider, the keys, graphgrad.step: a step, and the playing stops
      return { ...state, step: at(action.step), playing: false };
    case "tick": {  // the play timer: one step on, stopping at the end
      const step = at(state.step + 1);
      return { ...state, step, playing: state.playing && step < page.steps };
    }
    case "play":  // play from the start when at the end; pause when playing
      return state.playing ? { ...state, playing: false } : { ...state, playing: true, step: state.step >= page.steps ? 0 : state.step };
    case "select":  // graphgrad.select: a node's chain, or none
      return { ...state, selected: action.node, refused: null };
    case "click":  // a click on a node toggles its chain; a click on nothing closes the tooltip
      if (action.node === null) return { ...state, tip: null };
      return { ...state, selected: state.selected === action.node ? null : action.node, refused: null };
    case "escape":
      return { ...state, selected: null, tip: null, refused: null };
    case "search":
      return { ...state, query: action.query, hit: -1, tip: null };
    case "next hit":
      return { ...state, hit: state.hit + 1 };
    case "hover":  // the pointer over a node (its tooltip) or over nothing
      return { ...state, tip: action.node === null ? null : { node: action.node, x: action.x, y: action.y } };
    default:
      return liveUpdate(state, action, page);
  }
}

// The actions of an editable page: a leaf set (a finite number, checked by the caller), the recorded values
// back, a descent step, the learning rate, a typed text refused.
function liveUpdate(state, action, page) {
  switch (action.type) {
    case "set": {
      const edits = page.live.withEdit(state.edits, action.node, action.value);
      return { ...state, edits, descent: edits === state.edits ? state.descent : [], refused: null };
    }
    case "reset":
      return { ...state, edits: START.edits, descent: START.descent, refused: null };
    case "descend": {
      const lr = action.lr === undefined ? state.lr : action.lr, taken = page.live.descend(state.edits, lr);
      const descent = [...(state.descent.length ? state.descent : [taken.before]), taken.after];
      return { ...state, edits: taken.edits, descent, lr, refused: null };
    }
    case "lr":
      return { ...state, lr: action.lr, refused: null };
    case "refuse":
      return { ...state, refused: { what: action.what, text: action.text } };
    default:
      throw new Error(`graphgrad: no action ${action.type}`);
  }
}
