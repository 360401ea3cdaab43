/* graphgrad explorer, pan and zoom. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- pan and zoom: the picture's viewBox follows drags and the wheel ------------------------------ */

class PanZoom {
  constructor(svg, area, onClick) {
    const v = svg.viewBox.baseVal;
    Object.assign(this, { svg, area, home: [v.x, v.y, v.width, v.height] });
    this.box = this.home.slice();
    this.listen(onClick);
  }

  apply() { this.svg.setAttribute("viewBox", this.box.map((v) => v.toFixed(2)).join(" ")); }

  listen(onClick) {
    const { svg, area } = this;
    let drag = null;
    area.addEventListener("wheel", (e) => {  // zoom about the pointer
      e.preventDefault();
      const at = this.toPicture(e.clientX, e.clientY), f = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.002)));
      const b = this.box;
      this.box = [at.x - (at.x - b[0]) * f, at.y - (at.y - b[1]) * f, b[2] * f, b[3] * f];
      this.apply();
    }, { passive: false });
    area.addEventListener("pointerdown", (e) => {
      if (e.button === 0) drag = { x: e.clientX, y: e.clientY, box: this.box.slice(), scale: 1 / svg.getScreenCTM().a };
    });
    area.addEventListener("pointermove", (e) => {  // a drag pans; a press that hardly moves is a click
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) { drag.moved = true; area.setPointerCapture(e.pointerId); area.classList.add("gg-dragging"); }
      this.box = [drag.box[0] - dx * drag.scale, drag.box[1] - dy * drag.scale, drag.box[2], drag.box[3]];
      this.apply();
    });
    area.addEventListener("pointerup", (e) => {
      const was = drag;
      drag = null;
      area.classList.remove("gg-dragging");
      if (was && !was.moved) onClick(e);
    });
  }

  toPicture(x, y) {
    const pt = this.svg.createSVGPoint();
    pt.x = x;
    pt.y = y;
    return pt.matrixTransform(this.svg.getScreenCTM().inverse());
  }

  centreOf(el) {  // an element's centre, in the viewBox's units
    const r = el.getBoundingClientRect();
    return this.toPicture(r.x + r.width / 2, r.y + r.height / 2);
  }

  fit() {
    this.box = this.home.slice();
    this.apply();
  }

  start(el) {  // the whole picture if it reads so, else its root's end at full size
    const { area, home } = this;
    if (!el || Math.min(area.clientWidth / home[2], area.clientHeight / home[3]) >= 0.5) return;
    const w = area.clientWidth, h = area.clientHeight, at = this.centreOf(el);
    const centre = (c, size, lo, span) => (size >= span ? lo + span / 2 : Math.min(Math.max(c, lo + size / 2), lo + span - size / 2));
    const cx = centre(at.x, w, home[0], home[2]), cy = centre(at.y, h, home[1], home[3]);
    this.box = [cx - w / 2, cy - h / 2, w, h];
    this.apply();
  }

  show(el) {  // centre an element, at least as large as the whole picture shows it
    if (!el) return;
    const r = el.getBoundingClientRect(), now = 1 / this.svg.getScreenCTM().a;
    const w = Math.min(this.box[2], Math.max(r.width * now * 4, this.home[2] / 3)), h = (w * this.box[3]) / this.box[2];
    const at = this.centreOf(el);
    this.box = [at.x - w / 2, at.y - h / 2, w, h];
    this.apply();
  }
}
