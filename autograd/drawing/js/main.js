/* graphgrad explorer, the page: its view, its controls, the script API. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- the page: its view, its controls, the script API ----------------------------------------------- */

(function () {
  const box = document.querySelector(".gg");
  const data = JSON.parse(box.parentNode.querySelector(".gg-data").textContent);
  const find = (cls) => box.querySelector("." + cls);
  const view = box.classList.contains("gg-training") ? trainingView(box, data, find) : new BackwardView(box, data, find);
  const controls = stepper(box, data.steps, view, find);
  window.graphgrad = {
    step(k) {
      controls.go(k);
      return this.state();
    },
    select(name) {
      view.select(name === null || name === undefined ? null : String(name));
      return this.state();
    },
    state() {
      return { step: controls.current(), steps: data.steps, caption: view.caption(), grads: view.grads(),
               highlighted: view.highlighted() };
    },
  };
})();
