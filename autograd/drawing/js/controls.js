/* graphgrad explorer, the controls: buttons, slider, keys. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- the controls: previous / next / play / slider, the keys ----------------------------------- */

function stepper(box, steps, view, find) {
  const slider = find("gg-slider"), count = find("gg-count"), play = find("gg-play");
  let step = 0, timer = null;
  slider.max = String(steps);
  function go(k) {
    step = Math.max(0, Math.min(steps, Math.round(Number(k) || 0)));
    slider.value = String(step);
    count.textContent = `step ${step} of ${steps}`;
    view.show(step);
    if (step >= steps) stop();
    return step;
  }
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = "play";
  }
  function toggle() {
    if (timer !== null) return stop();
    if (step >= steps) go(0);
    play.textContent = "pause";
    timer = setInterval(() => go(step + 1), steps > 200 ? 120 : 700);
  }
  find("gg-first").addEventListener("click", () => { stop(); go(0); });
  find("gg-prev").addEventListener("click", () => { stop(); go(step - 1); });
  find("gg-next").addEventListener("click", () => { stop(); go(step + 1); });
  play.addEventListener("click", toggle);
  slider.addEventListener("input", () => { stop(); go(slider.value); });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { view.clear(); return; }
    // the search box and the slider take their own keys, and a button its space and Enter
    const own = e.target instanceof HTMLInputElement || (e.target instanceof HTMLButtonElement && e.key === " ");
    if (own || e.altKey || e.ctrlKey || e.metaKey) return;
    const moves = { ArrowLeft: () => go(step - 1), ArrowRight: () => go(step + 1), Home: () => go(0),
                    End: () => go(steps), " ": toggle };
    if (moves[e.key]) { e.preventDefault(); if (e.key !== " ") stop(); moves[e.key](); }
  });
  go(0);
  return { go, current: () => step };
}
