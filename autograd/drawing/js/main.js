/* graphgrad explorer, the page: the state, one dispatch that changes it and draws the page from it, and
   the script API. page.py joins these files, in the order it names, into one inline script after the
   page's data; every text shown goes in with textContent. */
"use strict";

/* --- the page: the views, the loop, the script API --------------------------------------------------- */

function backwardPage(box, data, find, dispatch, now) {  // the backward pass: its words, its picture, its camera
  const pass = new BackwardPass(data), picture = new BackwardPicture(box, pass, find);
  const zoom = picture.svg ? wirePicture(box, find, picture, dispatch, now) : null;
  return {
    start: { ...START, selected: data.select },
    render: (state) => picture.render(state),
    camera(before, state) {  // the view follows the step, and Enter in the search box
      if (!zoom) return;
      if (state.step !== before.step) zoom.follow(picture.focusOf(state.step));
      if (state.hit !== before.hit) zoom.show(picture.hitElement(state.query, state.hit));
    },
    find: (name) => pass.find(name),
    caption: (state) => pass.captionOf(state.step),
    grads: (state) => pass.grads(state.step),
    highlighted: (state) => pass.highlighted(state.selected),
  };
}

function trainingPage(box, data, find) {  // training playback: its view draws a snapshot
  const view = trainingView(box, data, find);
  return {
    start: START,
    render: view.render ? (state) => view.render(state) : (state) => view.show(state.step),
    camera() {},
    find: () => null,
    caption: () => view.caption(),
    grads: () => view.grads(),
    highlighted: () => view.highlighted(),
  };
}

(function () {
  const box = document.querySelector(".gg");
  const data = JSON.parse(box.parentNode.querySelector(".gg-data").textContent);
  const find = (cls) => box.querySelector("." + cls);
  let state = START, timer = null;
  const now = () => state;
  function dispatch(action) {  // the one way the page changes: a new state, the page drawn from it
    const before = state;
    state = update(state, action, data.steps);
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
    state() {
      return { step: state.step, steps: data.steps, caption: page.caption(state), grads: page.grads(state),
               highlighted: page.highlighted(state) };
    },
  };
})();
