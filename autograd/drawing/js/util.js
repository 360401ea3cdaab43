/* graphgrad explorer, small helpers shared by every part. page.py joins these files, in the order it names, into
   one inline script after the page's data; every text shown goes in with textContent. */
"use strict";

/* --- small helpers --------------------------------------------------------------------------------- */

function lighter(hex) {  // a colour mixed half and half with white, for the plane under the points
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${c.map((v) => Math.round((v + 255) / 2)).join(", ")})`;
}

function groupBy(count, n, key) {  // the indices 0 .. count - 1 grouped by key(i) in 0 .. n - 1, in order
  const first = new Int32Array(n + 1), order = new Int32Array(count);
  for (let i = 0; i < count; i++) first[key(i) + 1]++;
  for (let k = 0; k < n; k++) first[k + 1] += first[k];
  const fill = first.slice(0, n);
  for (let i = 0; i < count; i++) order[fill[key(i)]++] = i;
  return (k) => order.subarray(first[k], first[k + 1]);
}

function setAttributes(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}

function svgElement(tag, attrs) {
  return setAttributes(document.createElementNS("http://www.w3.org/2000/svg", tag), attrs);
}

function textWidth(words, size, widths) {  // Arial's advance widths, as the layout measured the text
  let total = 0;
  for (const ch of words) {
    const c = ch.codePointAt(0) - 32;
    total += c >= 0 && c < widths.length ? widths[c] : 556;
  }
  return (total * size) / 1000;
}

function number(v) {  // the data keeps nan and infinities as strings (JSON has no such numbers)
  if (Array.isArray(v)) return v.map(number);
  return typeof v === "string" && /^-?(nan|inf)$/.test(v) ? Number(v.replace("inf", "Infinity").replace("nan", "NaN")) : v;
}

function rows(v) {
  if (!Array.isArray(v)) return [[v]];
  return Array.isArray(v[0]) ? v.map((r) => (Array.isArray(r) ? r.flat(Infinity) : [r])) : [v];
}

function formatNumber(v) {
  if (typeof v !== "number") return String(v);
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function fill(words, key, slots) {  // one of page.py's sentences (text.WORDS) with its {slots} filled
  return words[key].replace(/\{([\w-]+)\}/g, (_, slot) => String(slots[slot]));
}

function countText(count, thing) {  // "1 path", "1,234 paths": as text.count_text writes them
  return `${count.toLocaleString("en-US")} ${thing}${count === 1 ? "" : "s"}`;
}
