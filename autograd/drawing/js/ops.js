/* graphgrad explorer, the Value ops in JavaScript: each op's forward and its local-derivative rule side by side,
   as autograd/value.py and nn/scalar.py keep them, with the engine's conventions. No DOM. */
"use strict";

/* --- float arithmetic as the engine does it (value.py's _fpow, _flog, stable_sigmoid) -------------------- */

function opPow(a, b) {  // Python's a ** b, with the IEEE results where Python raises (_fpow): 0 ** -1 is inf
  if (b !== b) return a === 1 ? 1 : NaN;  // 1 ** nan is 1 in Python (and C); JavaScript says NaN
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;  // likewise
  return Math.pow(a, b);  // negative ** fractional is NaN, overflow is +-Infinity, as numpy gives
}

function opLog(x) {  // -inf at 0, nan below 0 and at nan
  if (x > 0) return Math.log(x);
  return x === 0 ? -Infinity : NaN;
}

function opSigmoid(x) {  // 1 / (1 + e ** -x) without overflow for any x (stable_sigmoid)
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/* --- erf: the method CPython's math module used (a series below 1.5, a continued fraction for erfc
   beyond), with x * x, the series and the last products carried in double-double and the fraction evaluated
   from its last term up, so that the result is within an ulp of the C library's erf (math.erf's) ----------- */

function ddTwoSum(a, b) {  // a + b exactly, as [sum, rounding error]
  const s = a + b, v = s - a;
  return [s, (a - (s - v)) + (b - v)];
}

function ddTwoProduct(a, b) {  // a * b exactly, as [product, rounding error] (Veltkamp's split; |a|, |b| < 1e150)
  const p = a * b, ca = 134217729 * a, cb = 134217729 * b;
  const ah = ca - (ca - a), al = a - ah, bh = cb - (cb - b), bl = b - bh;
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

function ddMul(x, y) {  // double-double [hi, lo] times double-double
  const [p, e] = ddTwoProduct(x[0], y[0]);
  return ddTwoSum(p, e + (x[0] * y[1] + x[1] * y[0]));
}

function ddDivide(x, d) {  // double-double over a double
  const q = x[0] / d, [p, e] = ddTwoProduct(q, d);
  return ddTwoSum(q, ((x[0] - p) - e + x[1]) / d);
}

const ERF_INV_SQRT_PI = [0.5641895835477563, 7.66772980658294e-18];  // 1 / sqrt(pi) as double-double

function erfScaled(r, x, x2) {  // r * x * e ** -x2 / sqrt(pi), x2 = x * x as double-double, the products exact
  const e = Math.exp(-x2[0]);
  const t = ddMul(ddMul(r, [x, 0]), [e, -e * x2[1]]);  // e ** -(hi + lo) = e ** -hi * (1 - lo)
  return ddMul(t, ERF_INV_SQRT_PI);
}

function erfSeries(x) {  // |x| < 1.5: erf(x) = x e**-x2 / sqrt(pi) * (2 + 4/3 x2 + 8/15 x2**2 + ...), x2 = x * x
  const x2 = ddTwoProduct(x, x);
  let s = [0, 0];  // Horner's rule from the 25th term: s = 2 + x2 * s / (k + 1/2)
  for (let k = 25; k >= 1; k--) {
    const t = ddDivide(ddMul(x2, s), k + 0.5), u = ddTwoSum(2, t[0]);
    s = ddTwoSum(u[0], u[1] + t[1]);
  }
  const r = erfScaled(s, x, x2);
  return r[0] + r[1];
}

function erfcFraction(x) {  // 1.5 <= x: erfc(x) as double-double, by the continued fraction
  // erfc(x) = x e**-x2 / sqrt(pi) * 1 / (x2 + 1/2 - 1 * 1/2 / (x2 + 5/2 - 2 * 3/2 / (x2 + 9/2 - ...)))
  if (x >= 30) return [0, 0];  // erfc(30) is about 2.6e-393: no double
  const x2 = ddTwoProduct(x, x);
  let t = x2[0] + 100.5;  // 50 terms, evaluated from the last one up (stabler than the convergents from the front)
  for (let k = 50; k >= 1; k--) t = x2[0] + (2 * k - 1.5) - (k * (k - 0.5)) / t;
  return erfScaled([1 / t, 0], x, x2);
}

function opErf(x) {  // the error function, odd, 0 at 0 (-0 at -0), +-1 at +-inf, nan at nan
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax < 1.5) return erfSeries(x);
  const c = erfcFraction(ax), [s, t] = ddTwoSum(1, -c[0]);
  const v = s + (t - c[1]);
  return x > 0 ? v : -v;
}

/* --- the op table -------------------------------------------------------------------------------------- */

const OP_SQRT_HALF = Math.sqrt(0.5), OP_TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const OP_INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI), OP_SOFTPLUS_THRESHOLD = 20;

function neuronSum(x, n) {  // b + w_0 x_0 + ... + w_{m-1} x_{m-1}, summed in the engine's order; n = 2m + 1 inputs
  const m = (n - 1) / 2;
  let z = x[0];
  for (let k = 1; k <= m; k++) z += x[k] * x[k + m];
  return z;
}

function neuronPartner(i, x, n) {  // d z / d input i (i >= 1): a weight's input or an input's weight
  const m = (n - 1) / 2;
  return i <= m ? x[i + m] : x[i - m];
}

function neuronShare(i, d, x, n) {  // input i's share, d being the share of the bias
  return i === 0 ? d : d * neuronPartner(i, x, n);
}

function reluAlive(v) {  // relu passes v on (and its gradient): above 0, and nan (torch's relu keeps nan)
  return v > 0 || v !== v;
}

// Each op of a Value graph, keyed by the engine's op name. forward(x, n) is the node's data from the data
// x[0 .. n - 1] of its n inputs; rule(i, g, out, x, n) is input i's share of the gradient g that arrives at
// the node (whose data is out), computed as the engine's rule(g, out, *inputs) computes it (the same float
// operations in the same order), or null for an input that gets no gradient (a constant exponent, slope or
// alpha; the weights and bias of a ReLU neuron that is off). rule(i, 1, out, x, n) is the local derivative.
// A constant exponent's power ("**2", "**0.5", ...: see valueOp) is "**n"; its exponent is input 1's data.
// accepts(x) says whether Python makes the op for these inputs at all (it refuses a Value exponent of a
// base that is not positive). Conventions as the engine's (autograd/value.py's docstring): relu'(0) = 0,
// |x|'(0) = 0, leaky_relu'(0) = slope, elu'(0) = alpha; nan passes through relu as through torch.relu.
const VALUE_OPS = {
  "": { forward: null, rule: null },  // a leaf: its data is given
  "argument": { forward: (x) => x[0], rule: (i, g) => g },  // the identity that autograd.functional adds
  "+": { forward: (x) => x[0] + x[1], rule: (i, g) => g },
  "-": { forward: (x) => x[0] - x[1], rule: (i, g) => (i === 0 ? g : -g) },
  "*": { forward: (x) => x[0] * x[1], rule: (i, g, out, x) => g * x[1 - i] },
  "/": { forward: (x) => x[0] / x[1], rule: (i, g, out, x) => (i === 0 ? g / x[1] : -g * (out / x[1])) },
  "neg": { forward: (x) => -x[0], rule: (i, g) => -g },
  "**": {  // a Value exponent: needs a positive base
    forward: (x) => opPow(x[0], x[1]),
    rule: (i, g, out, x) => (i === 0 ? g * x[1] * opPow(x[0], x[1] - 1) : g * out * opLog(x[0])),
    accepts: (x) => x[0] > 0,
  },
  "**n": {  // a constant exponent (input 1, no gradient); x ** 0 is a constant: its derivative is 0, not nan
    forward: (x) => opPow(x[0], x[1]),
    rule: (i, g, out, x) => (i === 1 ? null : x[1] === 0 ? 0 : g * x[1] * opPow(x[0], x[1] - 1)),
  },
  "exp": { forward: (x) => Math.exp(x[0]), rule: (i, g, out) => g * out },
  "log": { forward: (x) => opLog(x[0]), rule: (i, g, out, x) => g / x[0] },
  "tanh": { forward: (x) => Math.tanh(x[0]), rule: (i, g, out) => g * (1 - out * out) },
  "sigmoid": { forward: (x) => opSigmoid(x[0]), rule: (i, g, out) => g * out * (1 - out) },
  "relu": { forward: (x) => (reluAlive(x[0]) ? x[0] : 0), rule: (i, g, out, x) => (reluAlive(x[0]) ? g : 0) },
  "abs": { forward: (x) => Math.abs(x[0]), rule: (i, g, out, x) => (x[0] > 0 ? g : x[0] < 0 ? -g : 0) },
  "sin": { forward: (x) => Math.sin(x[0]), rule: (i, g, out, x) => g * Math.cos(x[0]) },
  "cos": { forward: (x) => Math.cos(x[0]), rule: (i, g, out, x) => -g * Math.sin(x[0]) },
  "erf": { forward: (x) => opErf(x[0]), rule: (i, g, out, x) => g * OP_TWO_OVER_SQRT_PI * Math.exp(-(x[0] * x[0])) },
  "leaky_relu": {  // input 1 is the slope, a constant
    forward: (x) => (x[0] > 0 ? x[0] : x[0] * x[1]),
    rule: (i, g, out, x) => (i === 1 ? null : x[0] > 0 ? g : g * x[1]),
  },
  "elu": {  // input 1 is alpha, a constant; the derivative at 0 is alpha
    forward: (x) => (x[0] > 0 ? x[0] : x[1] * Math.expm1(x[0])),
    rule: (i, g, out, x) => (i === 1 ? null : x[0] < 0 ? g * x[1] * Math.exp(x[0]) : x[0] <= 0 ? g * x[1] : g),
  },
  "gelu": {
    forward: (x) => 0.5 * x[0] * (1 + opErf(x[0] * OP_SQRT_HALF)),
    rule: (i, g, out, x) => {
      const a = x[0];
      return g * (0.5 * (1 + opErf(a * OP_SQRT_HALF)) + a * OP_INV_SQRT_2PI * Math.exp(-0.5 * a * a));
    },
  },
  "softplus": {  // x itself above 20 (torch's threshold), with gradient 1 there
    forward: (x) => (x[0] > OP_SOFTPLUS_THRESHOLD ? x[0] : Math.log1p(Math.exp(x[0]))),
    rule: (i, g, out, x) => (x[0] > OP_SOFTPLUS_THRESHOLD ? g : g * opSigmoid(x[0])),
  },
  // nn's neurons, one node each: inputs (b, w_0 .. w_{m-1}, x_0 .. x_{m-1})
  "w·x+b": { forward: neuronSum, rule: (i, g, out, x, n) => neuronShare(i, g, x, n) },
  "relu(w·x+b)": {  // a neuron that is off (output 0) gives its weights and bias nothing, its inputs 0
    forward: (x, n) => {
      const z = neuronSum(x, n);
      return reluAlive(z) ? z : 0;
    },
    rule: (i, g, out, x, n) => (reluAlive(out) ? neuronShare(i, g, x, n) : i <= (n - 1) / 2 ? null : 0),
  },
  "tanh(w·x+b)": {
    forward: (x, n) => Math.tanh(neuronSum(x, n)),
    rule: (i, g, out, x, n) => neuronShare(i, g * (1 - out * out), x, n),
  },
  "sigmoid(w·x+b)": {
    forward: (x, n) => opSigmoid(neuronSum(x, n)),
    rule: (i, g, out, x, n) => neuronShare(i, g * out * (1 - out), x, n),
  },
};

const OP_POWER_NAME = /^\*\*-?(?:\d+(?:\.\d+)?(?:e[-+]\d+)?|inf|nan)$/;  // "**2", "**0.5", "**-1", "**1e+20"

function valueOp(name) {  // the table's entry for an op name, or undefined for an op it does not know
  if (Object.prototype.hasOwnProperty.call(VALUE_OPS, name)) return VALUE_OPS[name];
  return OP_POWER_NAME.test(name) ? VALUE_OPS["**n"] : undefined;
}
