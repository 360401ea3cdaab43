/* graphgrad explorer, numbers as Python writes them: text.number_text's f"{v:.4g}" (every number a caption, a
   cell or a label shows) and repr(float) (a tooltip's data), so that what the page computes itself reads as what
   Python would have written. page.py joins these files, in the order it names, into one inline script. */
"use strict";

/* --- digits ------------------------------------------------------------------------------------------- */

function exponentDigits(text) {  // "1.2345e+2" or "12.345" (as JavaScript writes a number) -> ["12345", 2]
  const [mantissa, power] = text.split("e");
  const [whole, part = ""] = mantissa.split(".");
  const digits = (whole + part).replace(/^0+/, "");
  const exponent = Number(power || 0) + whole.replace(/^0+/, "").length - 1 - (whole === "0" ? part.length - digits.length : 0);
  return [digits, exponent];
}

// |v| (> 0) rounded to `digits` significant digits as Python rounds: to the nearest, and a tie to the even
// digit (JavaScript's toExponential takes a tie away from zero, so an exact tie is looked at digit by digit).
function roundedDigits(a, digits) {
  const [rounded, exponent] = exponentDigits(a.toExponential(digits - 1));
  const exact = exponentDigits(a.toExponential(digits + 40))[0];  // enough digits to tell a tie from a near one
  const tie = exact[digits] === "5" && /^0*$/.test(exact.slice(digits + 1));
  if (tie && Number(exact[digits - 1]) % 2 === 0) return [exact.slice(0, digits), exponentDigits(a.toExponential(digits + 40))[1]];
  return [rounded, exponent];
}

/* --- Python's formats ------------------------------------------------------------------------------------ */

function pointAt(digits, exponent) {  // the digits with the decimal point after digit exponent + 1 (fixed notation)
  if (exponent < 0) return `0.${"0".repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, "0"), part = digits.slice(exponent + 1);
  return part ? `${whole}.${part}` : whole;
}

function scientific(digits, exponent) {  // "1.5e+16", "1e-05": the exponent's sign and at least two digits
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

// f"{v:.{digits}g}" as Python writes it, "-0" as "0", nan and the infinities as words: text.number_text (digits 4).
function numberText(v, digits = 4) {
  if (typeof v !== "number") return String(v);
  if (v !== v) return "nan";
  if (v === Infinity || v === -Infinity) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const [found, exponent] = roundedDigits(Math.abs(v), digits), trimmed = found.replace(/0+$/, "") || "0";
  const text = exponent >= -4 && exponent < digits ? pointAt(trimmed, exponent) : scientific(trimmed, exponent);
  return (v < 0 ? "-" : "") + text;
}

// repr(v) for a float, as Python writes it: the shortest digits that read back as v, "100.0", "1e+16", "1e-05".
function reprText(v) {
  if (v !== v) return "nan";
  if (v === Infinity || v === -Infinity) return v > 0 ? "inf" : "-inf";
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  if (v === 0) return `${sign}0.0`;
  const [found, exponent] = exponentDigits(String(Math.abs(v))), digits = found.replace(/0+$/, "");
  if (exponent < -4 || exponent >= 16) return sign + scientific(digits, exponent);
  const text = pointAt(digits, exponent);
  return sign + (text.includes(".") ? text : `${text}.0`);
}
