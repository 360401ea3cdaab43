/* graphgrad explorer, the editing controls of an editable page, drawn from the state and turned into actions:
   the selected leaf's value (type it, drag its name, scroll on it; or drag and scroll on its data cell in the
   picture), reset, the nudge line, the learning rate and the descent step with its plot. page.py joins these
   files, in the order it names, into one inline script after the page's data; every text shown goes in with
   textContent, and a typed value is read as a number or refused. */
"use strict";

/* --- numbers typed, scrolled and dragged -------------------------------------------------------------- */

function typedNumber(text) {  // a decimal number as typed ("110", "-0.5", "2e-3"), or null: nothing else is a number
  if (!/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text)) return null;
  const v = Number(text);
  return Number.isFinite(v) ? v : null;
}

function stepOf(x) {  // a tenth of the value's order of magnitude: 100 moves by 10, 2.2 by 0.1, 0 by 0.1
  return (x === 0 ? 1 : 10 ** Math.floor(Math.log10(Math.abs(x)))) / 10;
}

function stepped(x, steps, step) {  // x moved by whole steps, written with as many decimals as the step has
  const v = x + steps * step, decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return decimals <= 20 ? Number(v.toFixed(decimals)) : v;
}

// Drag (horizontally, a step per 8 pixels) and scroll (a step a notch) on an element to change a leaf's value:
// leafAt(event) names the leaf (null: not here), valueOf(leaf) its value, set(leaf, value) changes it and
// clicked(leaf) is a press that did not move. The events stop here: the picture does not pan or zoom.
function scrubbing(el, leafAt, valueOf, set, clicked) {
  let drag = null;
  el.addEventListener("pointerdown", (e) => {
    const leaf = e.button === 0 ? leafAt(e) : null;
    if (leaf === null) return;
    e.stopPropagation();
    const x = valueOf(leaf);
    drag = { leaf, x, at: e.clientX, step: stepOf(Number.isFinite(x) ? x : 0), moved: false };
    el.setPointerCapture(e.pointerId);
  });
  el.addEventListener("pointermove", (e) => {
    if (!drag) return;
    e.stopPropagation();
    const n = Math.round((e.clientX - drag.at) / 8);
    if (!drag.moved && Math.abs(e.clientX - drag.at) < 4) return;
    drag.moved = true;
    if (Number.isFinite(drag.x)) set(drag.leaf, stepped(drag.x, n, drag.step));
  });
  el.addEventListener("pointerup", (e) => {
    const was = drag;
    drag = null;
    if (!was) return;
    e.stopPropagation();
    if (!was.moved) clicked(was.leaf);
  });
  el.addEventListener("wheel", (e) => {
    const leaf = leafAt(e), x = leaf === null ? NaN : valueOf(leaf);
    if (leaf === null) return;
    e.preventDefault();
    e.stopPropagation();
    if (Number.isFinite(x) && e.deltaY) set(leaf, stepped(x, e.deltaY < 0 ? 1 : -1, stepOf(x)));
  }, { passive: false });
}

/* --- the panel -------------------------------------------------------------------------------------------- */

function element(parent, tag, cls, attrs) {
  const el = parent.appendChild(document.createElement(tag));
  if (cls) el.className = cls;
  return setAttributes(el, attrs);
}

class LivePanel {
  constructor(box, passes, picture, dispatch, now) {
    const data = passes.data, words = data.words, say = (key, slots = {}) => fill(words, key, slots);
    Object.assign(this, { box, passes, live: passes.live, data, say, shown: {} });
    const panel = box.querySelector(".gg-live"), row = element(panel, "div", "gg-live-row");
    panel.hidden = false;
    const edit = element(row, "span", "gg-edit");
    this.name = element(edit, "span", "gg-edit-name", { title: say("edit-help") });
    this.value = element(edit, "input", "gg-value", { type: "text", inputmode: "decimal", spellcheck: "false",
                                                     title: say("edit-help"), "aria-label": say("edit-help") });
    this.hint = element(edit, "span", "gg-edit-hint");
    this.hint.textContent = say("edit-hint");
    this.reset = element(row, "button", "gg-reset", { type: "button", title: say("reset-help") });
    this.reset.textContent = say("reset");
    const descend = element(row, "span", "gg-descend");
    element(descend, "span", "gg-moves").textContent = say("descend-moves", { leaves: this.movesText() });
    const lr = element(descend, "label", "gg-lr-label");
    lr.textContent = say("lr");
    this.lr = element(lr, "input", "gg-lr", { type: "text", inputmode: "decimal", spellcheck: "false" });
    this.step = element(descend, "button", "gg-step", { type: "button", title: say("descend-help") });
    this.step.textContent = say("descend");
    this.plot = descend.appendChild(svgElement("svg", { class: "gg-plot", width: 90, height: 22, viewBox: "0 0 90 22" }));
    this.line = this.plot.appendChild(svgElement("polyline", { class: "gg-plot-line" }));
    this.descent = element(descend, "span", "gg-descent");
    this.nudge = element(panel, "div", "gg-nudge");
    this.warn = element(panel, "div", "gg-warn");
    this.wire(picture, dispatch, now);
  }

  movesText() {  // the leaves a descent step moves, by name (the first few of many)
    const moves = this.live.moves, name = (k) => this.passes.recorded.name(k);
    if (moves.length <= 6) return moves.map(name).join(", ");
    const first = [...moves].sort((a, b) => b - a).slice(0, 3);  // the first made (the pass meets them last)
    return this.say("descend-many", { count: moves.length.toLocaleString("en-US"), names: first.map(name).join(", ") });
  }

  wire(picture, dispatch, now) {
    const set = (leaf, value) => dispatch({ type: "set", node: leaf, value });
    const valueOf = (leaf) => this.live.valueOf(now().edits, leaf);
    const commit = () => {  // the text typed, when it is not what the page wrote there
      const leaf = now().selected, v = typedNumber(this.value.value);
      if (leaf === null || !this.live.editable.has(leaf) || this.value.value === this.shown.value) return;
      dispatch(v === null ? { type: "refuse", what: leaf, text: this.value.value } : { type: "set", node: leaf, value: v });
    };
    this.value.addEventListener("change", commit);
    this.value.addEventListener("keydown", (e) => {  // Enter takes the number typed; the arrows step it up and down
      const leaf = now().selected, x = leaf === null ? NaN : valueOf(leaf), by = { ArrowUp: 1, ArrowDown: -1 }[e.key];
      if (e.key === "Enter") commit();
      if (by && Number.isFinite(x)) {
        e.preventDefault();
        set(leaf, stepped(x, by, stepOf(x)));
      }
    });
    const selectedLeaf = () => (this.live.editable.has(now().selected) ? now().selected : null);
    scrubbing(this.name, selectedLeaf, valueOf, set, () => {});
    scrubbing(this.value, (e) => (e.type === "wheel" ? selectedLeaf() : null), valueOf, set, () => {});
    if (picture.svg) {
      scrubbing(picture.svg, (e) => picture.dataCellAt(e.target), valueOf, set, (leaf) => {
        dispatch({ type: "click", node: leaf });  // as a click anywhere on the node: its chain, and its value to edit
        if (now().selected === leaf) {
          this.value.focus();
          this.value.select();
        }
      });
    }
    const rate = () => {
      const v = typedNumber(this.lr.value);
      if (this.lr.value === this.shown.lr) return;
      dispatch(v === null ? { type: "refuse", what: "lr", text: this.lr.value } : { type: "lr", lr: v });
    };
    this.lr.addEventListener("change", rate);
    this.lr.addEventListener("keydown", (e) => { if (e.key === "Enter") rate(); });
    this.reset.addEventListener("click", () => dispatch({ type: "reset" }));
    this.step.addEventListener("click", () => dispatch({ type: "descend" }));
  }

  render(state) {
    const pass = this.passes.at(state.edits), k = state.selected, refused = state.refused;
    const leaf = k !== null && this.live.editable.has(k) ? k : null;
    this.name.textContent = leaf === null ? "" : this.say("edit-name", { node: pass.name(leaf) });
    this.value.hidden = leaf === null;
    this.hint.hidden = leaf !== null;
    if (leaf === null && document.activeElement === this.value) this.box.focus();  // the keys go back to the page
    const typed = (what, v) => (refused && refused.what === what ? refused.text : String(v));
    this.write("value", leaf === null ? "" : typed(leaf, this.live.valueOf(state.edits, leaf)));
    this.write("lr", typed("lr", state.lr));
    for (const [input, what] of [[this.value, leaf], [this.lr, "lr"]]) {
      input.classList.toggle("gg-refused", Boolean(refused && refused.what === what));
    }
    this.reset.disabled = !state.edits.length;
    this.drawDescent(pass, state.descent);
    const nudge = this.nudgeOf(state, pass);
    if (this.nudge.textContent !== nudge) this.nudge.textContent = nudge;
    const warn = this.warnings(state, pass);
    if (this.warn.textContent !== warn) this.warn.textContent = warn;
  }

  write(input, text) {  // an input's text, written when what the state says changes (not while typing)
    if (this.shown[input] === text) return;
    this.shown[input] = text;
    this[input].value = text;
  }

  slope(state) {  // the page's central-difference slope of the root with respect to the selected leaf, or null
    const found = state.selected === null ? null : this.live.nudge(state.edits, state.selected);
    return found && found.slope;
  }

  nudgeOf(state, pass) {  // the nudge line of the selected leaf
    const k = state.selected, found = k === null ? null : this.live.nudge(state.edits, k);
    if (!found) return "";
    const g = pass.gradOf(k, pass.N);
    return nudgeWords(this.data.words, found, { node: pass.name(k), root: pass.name(0) }, g ? g.text : "0");
  }

  warnings(state, pass) {  // a typed text that is no number; nodes Python would refuse to make
    const found = [], refused = state.refused;
    if (refused) found.push(this.say("edit-refused", { text: JSON.stringify(refused.text) }));
    for (const k of this.live.refused(state.edits)) found.push(this.say("live-refused", { node: pass.name(k) }));
    return found.join("; ");
  }

  drawDescent(pass, descent) {  // the root's value over the descent steps taken, a line and in words
    const key = descent.join(" ");
    if (this.shown.descent === key) return;
    this.shown.descent = key;
    const finite = descent.filter(Number.isFinite), lo = Math.min(...finite), hi = Math.max(...finite);
    const x = (i) => 2 + (86 * i) / Math.max(1, descent.length - 1), y = (v) => 20 - (18 * (v - lo)) / (hi - lo || 1);
    const points = descent.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : "")).filter(Boolean);
    this.line.setAttribute("points", points.join(" "));
    this.plot.style.display = descent.length ? "" : "none";
    const n = descent.length - 1;
    this.descent.textContent = n > 0 ? this.say("descent", { root: pass.name(0), steps: countText(n, "step"),
      first: numberText(descent[0]), last: numberText(descent[n]) }) : "";
  }
}
