/* graphgrad explorer, the camera: which part of the picture the view shows (its viewBox), laid out once the
   view has a size and again when it changes; pan (drag), zoom (wheel), fit, follow. page.py joins these
   files, in the order it names, into one inline script after the page's data. */
"use strict";

/* --- the camera -------------------------------------------------------------------------------- */

// The smallest scale (screen pixels per unit of the picture) that the page opens or fits at: the 10-point
// text of a node stays 8 pixels high. A picture that would fit only smaller opens at this scale around the
// current step's node; the wheel still zooms out to see all of it.
const READABLE = 0.8;

class PanZoom {
  constructor(svg, area, onClick, focus) {
    const v = svg.viewBox.baseVal, graph = svg.querySelector("g.graph");
    Object.assign(this, { svg, area, focus, home: [v.x, v.y, v.width, v.height] });
    this.box = null;  // the part of the picture shown, in its units: null until the view has a size
    this.size = [0, 0];  // the view's size in pixels
    this.fitted = false;  // the box is fit()'s, not moved by hand since
    this.rects = new Map();
    const m = graph && graph.transform.baseVal.consolidate();
    this.toView = m ? m.matrix : svg.createSVGMatrix();  // the picture's group -> viewBox units
    this.listen(onClick);
    new ResizeObserver(() => this.resized()).observe(area);
  }

  resized() {  // first laid out when the view has a size (a frame shown later), then kept on a resize
    const w = this.area.clientWidth, h = this.area.clientHeight;
    if (!(w > 0 && h > 0)) return;
    const scale = this.box && this.scale();
    this.size = [w, h];
    if (!this.box || this.fitted) return this.fit();
    const [x, y, bw, bh] = this.box;  // the same scale and centre, more or less of the picture around it
    this.set([x + bw / 2 - w / scale / 2, y + bh / 2 - h / scale / 2, w / scale, h / scale], false);
  }

  scale() { return Math.min(this.size[0] / this.box[2], this.size[1] / this.box[3]); }

  set(box, fitted) {  // never a zero, negative or NaN box: the picture would vanish
    if (!box.every(Number.isFinite) || !(box[2] > 0 && box[3] > 0)) return;
    this.box = box;
    this.fitted = fitted;
    this.svg.setAttribute("viewBox", box.map((v) => v.toFixed(2)).join(" "));
  }

  visible() {  // the part of the picture the view shows (the box, widened to the view's shape)
    const s = this.scale(), [x, y, w, h] = this.box, W = this.size[0] / s, H = this.size[1] / s;
    return [x + (w - W) / 2, y + (h - H) / 2, W, H];
  }

  rectOf(el) {  // an element's bounding box in the picture's units (the layout never moves it: measured once)
    if (!this.rects.has(el)) this.rects.set(el, this.measure(el));
    return this.rects.get(el);
  }

  measure(el) {
    const b = el.getBBox(), m = this.toView;
    const xs = [b.x, b.x + b.width].map((x) => m.a * x + m.e), ys = [b.y, b.y + b.height].map((y) => m.d * y + m.f);
    return [Math.min(...xs), Math.min(...ys), Math.abs(xs[1] - xs[0]), Math.abs(ys[1] - ys[0])];
  }

  around(el, w, h) {  // a box of this size centred on an element, kept on the picture where it can be
    const [x, y, W, H] = this.home, r = el ? this.rectOf(el) : [x, y, W, H];
    const centre = (c, size, lo, span) => (size >= span ? lo + span / 2 : Math.min(Math.max(c, lo + size / 2), lo + span - size / 2));
    const cx = centre(r[0] + r[2] / 2, w, x, W), cy = centre(r[1] + r[3] / 2, h, y, H);
    return [cx - w / 2, cy - h / 2, w, h];
  }

  fit() {  // the whole picture if it reads at that scale, else as much as reads around the focus
    const [w, h] = this.size, home = this.home;
    if (!(w > 0 && h > 0)) return;
    if (Math.min(w / home[2], h / home[3]) >= READABLE) this.set(home.slice(), true);
    else this.set(this.around(this.focus(), w / READABLE, h / READABLE), true);
  }

  follow(el) {  // pan, keeping the zoom, until an element is in sight
    if (!el || !this.box) return;
    const [x, y, w, h] = this.rectOf(el), v = this.visible();
    if (x < v[0] || y < v[1] || x + w > v[0] + v[2] || y + h > v[1] + v[3]) this.set(this.around(el, v[2], v[3]), this.fitted);
  }

  show(el) {  // centre an element, at least as large as the whole picture shows it
    if (!el || !this.box) return;
    const r = this.rectOf(el), b = this.box;
    const w = Math.min(b[2], Math.max(r[2] * 4, this.home[2] / 3)), h = (w * b[3]) / b[2];
    this.set([r[0] + r[2] / 2 - w / 2, r[1] + r[3] / 2 - h / 2, w, h], false);
  }

  // --- the pointer: a drag pans, the wheel zooms about the pointer, a press that hardly moves is a click
  listen(onClick) {
    const { svg, area } = this;
    let drag = null;
    area.addEventListener("wheel", (e) => {
      e.preventDefault();
      if (!this.box) return;
      const at = this.toPicture(e.clientX, e.clientY), f = Math.exp(Math.max(-1, Math.min(1, e.deltaY * 0.002)));
      const b = this.box;
      this.set([at.x - (at.x - b[0]) * f, at.y - (at.y - b[1]) * f, b[2] * f, b[3] * f], false);
    }, { passive: false });
    area.addEventListener("pointerdown", (e) => {
      if (e.button === 0) drag = { x: e.clientX, y: e.clientY, box: (this.box || this.home).slice(), scale: 1 / svg.getScreenCTM().a };
    });
    area.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) { drag.moved = true; area.setPointerCapture(e.pointerId); area.classList.add("gg-dragging"); }
      this.set([drag.box[0] - dx * drag.scale, drag.box[1] - dy * drag.scale, drag.box[2], drag.box[3]], false);
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
}
