/* graphgrad explorer, the controls: buttons, slider, keys, search and the pointer on the picture turned into
   actions, and the bar drawn from the state. page.py joins these files, in the order it names, into one
   inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- the bar: first / previous / play / next, the slider, the keys ------------------------------- */

function wireBar(find, dispatch, now, steps) {
  const go = (k) => dispatch({ type: "go", step: k });
  const slider = find("gg-slider");
  find("gg-first").addEventListener("click", () => go(0));
  find("gg-prev").addEventListener("click", () => go(now().step - 1));
  find("gg-next").addEventListener("click", () => go(now().step + 1));
  find("gg-play").addEventListener("click", () => dispatch({ type: "play" }));
  slider.addEventListener("input", () => go(slider.value));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { dispatch({ type: "escape" }); return; }
    // the search box and the slider take their own keys, and a button its space and Enter
    const own = e.target instanceof HTMLInputElement || (e.target instanceof HTMLButtonElement && e.key === " ");
    if (own || e.altKey || e.ctrlKey || e.metaKey) return;
    const step = now().step;
    const moves = { ArrowLeft: step - 1, ArrowRight: step + 1, Home: 0, End: steps };
    if (e.key in moves) { e.preventDefault(); go(moves[e.key]); }
    if (e.key === " ") { e.preventDefault(); dispatch({ type: "play" }); }
  });
}

function drawBar(find, state, steps, words) {
  const slider = find("gg-slider"), search = find("gg-search");
  slider.max = String(steps);
  slider.value = String(state.step);
  find("gg-count").textContent = fill(words, "count", { step: state.step, steps });
  find("gg-play").textContent = state.playing ? "pause" : "play";
  if (search.value !== state.query) search.value = state.query;
}

/* --- the picture: click a node for its chain, hover for its details, search, fit ------------------- */

function wirePicture(box, find, picture, dispatch, now) {
  const area = find("gg-view"), search = find("gg-search");
  const zoom = new PanZoom(picture.svg, area, (e) => dispatch({ type: "click", node: picture.nodeAt(e.target) }),
                           () => picture.focusOf(now().step));
  area.addEventListener("mousemove", (e) => {
    const r = box.getBoundingClientRect();
    dispatch({ type: "hover", node: picture.nodeAt(e.target), x: e.clientX - r.left, y: e.clientY - r.top });
  });
  area.addEventListener("mouseleave", () => dispatch({ type: "hover", node: null }));
  find("gg-fit").addEventListener("click", () => zoom.fit());
  search.addEventListener("input", () => dispatch({ type: "search", query: search.value }));
  search.addEventListener("keydown", (e) => { if (e.key === "Enter") dispatch({ type: "next hit" }); });
  return zoom;
}
