/* graphgrad explorer, the page: the state, one dispatch that changes it and draws the page from it, and
   the script API. page.py joins these files, in the order it names, into one inline script after the
   page's data; every text shown goes in with textContent. */
"use strict";

/* --- the page: the views, the loop, the script API --------------------------------------------------- */

function backwardPage(box, data, find, dispatch, now) {  // the backward pass: its words, its picture, its camera
  const live = data.live.editable ? new LiveModel(data) : null;
  const passes = new Passes(data, live), picture = new BackwardPicture(box, passes, find);
  const zoom = picture.svg ? wirePicture(box, find, picture, dispatch, now) : null;
  const panel = live ? new LivePanel(box, passes, picture, dispatch, now) : editingOff(find("gg-live"), data.live.reason);
  const at = (state) => passes.at(state.edits);
  return {
    start: { ...START, selected: data.select },
    live,
    render(state) {
      picture.render(state);
      if (panel) panel.render(state);
    },
    camera(before, state) {  // the view follows the step, and Enter in the search box
      if (!zoom) return;
      if (state.step !== before.step) zoom.follow(picture.focusOf(state.step));
      if (state.hit !== before.hit) zoom.show(picture.hitElement(state.query, state.hit));
    },
    find: (name) => passes.recorded.find(name),
    off: data.live.reason,  // why a learner cannot edit the page ("" when they can)
    leaf(name) {  // an editable leaf by its name, or an error that says why not
      if (!live) throw new Error(`graphgrad.set: ${data.live.reason}`);
      const k = passes.recorded.find(String(name), "graphgrad.set");
      if (!live.editable.has(k)) {
        const some = [...live.editable].slice(0, 8).map((j) => passes.recorded.name(j)).join(", ");
        throw new Error(`graphgrad.set: ${JSON.stringify(String(name))} is no leaf you can change; the leaves you can: ${some}`);
      }
      return k;
    },
    caption: (state) => at(state).captionOf(state.step),
    grads: (state) => at(state).grads(state.step),
    highlighted: (state) => at(state).highlighted(state.selected),
    values: (state) => at(state).values(),
    slope: (state) => (live ? panel.slope(state) : null),
    edits: (state) => Object.fromEntries(state.edits.map(([k, v]) => [passes.recorded.name(k), v])),
  };
}

function editingOff(note, reason) {  // a page a learner cannot edit: one line that says why
  note.hidden = false;
  note.className = "gg-live gg-live-off";
  note.textContent = reason;
  return null;
}

function trainingPage(box, data, find) {  // training playback: its view draws a snapshot
  const view = trainingView(box, data, find);
  find("gg-live").remove();
  return {
    start: START,
    live: null,
    render: view.render ? (state) => view.render(state) : (state) => view.show(state.step),
    camera() {},
    find: () => null,
    off: "a training page has no leaves to change",
    leaf() { throw new Error(`graphgrad.set: ${this.off}`); },
    caption: () => view.caption(),
    grads: () => view.grads(),
    highlighted: () => view.highlighted(),
    values: () => ({}),
    slope: () => null,
    edits: () => ({}),
  };
}

function finiteNumber(v, what) {  // a number a script gives, checked: finite, and a number, not a text of one
  if (typeof v === "number" && Number.isFinite(v)) return v;
  const given = typeof v === "number" || v === undefined || v === null ? String(v) : `${JSON.stringify(v)} (a ${typeof v})`;
  throw new Error(`${what} must be a finite number; got ${given}`);
}

(function () {
  const box = document.querySelector(".gg");
  const data = JSON.parse(box.parentNode.querySelector(".gg-data").textContent);
  const find = (cls) => box.querySelector("." + cls);
  let state = START, timer = null;
  const now = () => state;
  function dispatch(action) {  // the one way the page changes: a new state, the page drawn from it
    const before = state;
    state = update(state, action, page);
    draw();
    page.camera(before, state);
    if (state.playing !== (timer !== null)) {  // the play timer runs while the state says it plays
      if (timer !== null) clearInterval(timer);
      timer = state.playing ? setInterval(() => dispatch({ type: "tick" }), data.steps > 200 ? 120 : 700) : null;
    }
  }
  function draw() {
    page.render(state);
    drawBar(find, state, data.steps, data.words);
  }
  const training = box.classList.contains("gg-training");
  const page = training ? trainingPage(box, data, find) : backwardPage(box, data, find, dispatch, now);
  page.steps = data.steps;
  state = page.start;
  wireBar(find, dispatch, now, data.steps);
  draw();
  window.graphgrad = {
    step(k) {
      dispatch({ type: "go", step: k });
      return this.state();
    },
    select(name) {
      dispatch({ type: "select", node: name === null || name === undefined ? null : page.find(String(name)) });
      return this.state();
    },
    set(name, value) {  // a leaf's new value: the page recomputes every node's data and the whole pass
      const node = page.leaf(name);
      dispatch({ type: "set", node, value: finiteNumber(value, `graphgrad.set: the value of ${String(name)}`) });
      return this.state();
    },
    reset() {  // the recorded values back
      dispatch({ type: "reset" });
      return this.state();
    },
    descend(lr) {  // one step of gradient descent, with this learning rate (else the page's)
      if (!page.live) throw new Error(`graphgrad.descend: ${page.off}`);
      dispatch({ type: "descend", lr: lr === undefined ? undefined : finiteNumber(lr, "graphgrad.descend: the learning rate") });
      return this.state();
    },
    state() {
      return { step: state.step, steps: data.steps, caption: page.caption(state), grads: page.grads(state),
               highlighted: page.highlighted(state), values: page.values(state), slope: page.slope(state),
               edits: page.edits(state), lr: state.lr, descent: [...state.descent] };
    },
  };
})();
