/**
 * The few distribution functions the statistics need, written out so the
 * package has no dependencies. Accuracy is far beyond what timing data needs.
 */

/**
 * Standard normal CDF, via the complementary error function.
 *
 * @example
 * normalCdf(1.96); // about 0.975
 */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Complementary error function, Chebyshev fit (Numerical Recipes `erfcc`),
 * fractional error below 1.2e-7 everywhere, so tiny p-values stay accurate.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Inverse standard normal CDF (Acklam's rational approximation, rel. error 1.2e-9).
 *
 * @example
 * normalQuantile(0.975); // about 1.96
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, coef) => acc * x + coef, 0);
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * P(B <= k) for B ~ Binomial(n, 1/2): the probability behind the
 * distribution-free confidence interval of a median. Summed in log space so
 * it stays exact for thousands of samples.
 */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logHalfPowN = -n * Math.LN2;
  let logPmf = logHalfPowN; // P(B = 0)
  let total = Math.exp(logPmf);
  for (let i = 1; i <= k; i++) {
    logPmf += Math.log((n - i + 1) / i);
    total += Math.exp(logPmf);
  }
  return Math.min(1, total);
}

/**
 * The largest rank k >= 1 with P(B <= k - 1) <= tail for B ~ Binomial(n, 1/2),
 * i.e. the order statistics x_(k), x_(n-k+1) that bound a median interval
 * with both tails at most `tail`. Returns 1 when even [min, max] falls short.
 */
export function largestRankWithin(n: number, tail: number): number {
  let logPmf = -n * Math.LN2;
  let cumulative = Math.exp(logPmf); // P(B <= 0)
  let k = 1;
  while (k < n / 2) {
    // cumulative is P(B <= k - 1); step to P(B <= k).
    logPmf += Math.log((n - k + 1) / k);
    const next = cumulative + Math.exp(logPmf);
    if (next > tail) break;
    cumulative = next;
    k++;
  }
  return k;
}

/**
 * Quantile of Student's t distribution with `df` degrees of freedom: exact
 * for 1 and 2; for other whole `df` the exact distribution function
 * (`studentTCdf`) inverted by bisection up to 100, since far tails (a 99.99% level on
 * 3 degrees of freedom, as sequential looks ask for) are where series
 * expansions fail (Cornish-Fisher is 9% low there); for fractional `df`
 * the Cornish-Fisher expansion (Abramowitz & Stegun 26.7.5).
 *
 * @example
 * studentTQuantile(0.975, 3); // about 3.182
 */
export function studentTQuantile(p: number, df: number): number {
  if (df === 1) return Math.tan(Math.PI * (p - 0.5));
  if (df === 2) return (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
  // Above 100 degrees of freedom the expansion is exact to 1e-5 at any level used here.
  if (Number.isInteger(df) && df <= 100) {
    if (p < 0.5) return -studentTQuantile(1 - p, df);
    let lo = 0;
    let hi = 1;
    while (studentTCdf(hi, df) < p) hi *= 2;
    for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
      const mid = (lo + hi) / 2;
      if (studentTCdf(mid, df) < p) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }
  return cornishFisherT(p, df);
}

/**
 * Distribution function of Student's t for a whole number of degrees of
 * freedom, exact (Abramowitz & Stegun 26.7.3 and 26.7.4: a finite series in
 * cos(theta), theta = atan(t / sqrt(df))).
 *
 * @example
 * studentTCdf(3.182, 3); // about 0.975
 */
export function studentTCdf(t: number, df: number): number {
  if (!(Number.isInteger(df) && df >= 1))
    throw new RangeError(`df must be a whole number >= 1, got ${df}`);
  if (t < 0) return 1 - studentTCdf(-t, df);
  const theta = Math.atan(t / Math.sqrt(df));
  const c2 = Math.cos(theta) ** 2;
  const s = Math.sin(theta);
  let within: number; // P(|T| <= t)
  if (df % 2 === 1) {
    let term = Math.cos(theta);
    let sum = df > 1 ? term : 0;
    for (let k = 3; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    within = (2 / Math.PI) * (theta + s * sum);
  } else {
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) {
      term *= ((k - 1) / k) * c2;
      sum += term;
    }
    within = s * sum;
  }
  return (1 + Math.min(1, within)) / 2;
}

function cornishFisherT(p: number, df: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  const z9 = z ** 9;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3) +
    (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4)
  );
}
