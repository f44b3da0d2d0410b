// The fbank pipeline written once over a vector type V, included by each
// per-instruction-set file (fbank_kernel_scalar.cc, _sse2.cc, _avx2.cc, _neon.cc).
//
// Layout ("vertical" SIMD): a batch holds V::kLanes frames, one per lane, so
// sample j of frame l sits at buf[j * kLanes + l] and every step (DC removal,
// pre-emphasis, window, FFT butterflies, power spectrum, mel sums, log) is the
// same sequence of lane-wise operations as the one-lane scalar build. Complex
// element e of a buffer keeps its real parts at buf[2e * kLanes] and imaginary
// parts at buf[(2e + 1) * kLanes]; a real frame of 2M samples read this way is
// the complex sequence x[2m] + i x[2m+1] that a real FFT of 2M points starts from.
//
// Every path performs identical IEEE operations in identical order (no fused
// multiply-add: contraction is switched off below), so SIMD and scalar results
// are equal bit for bit.
//
// A type V provides: kLanes; static Load(const float*) (aligned), Broadcast(float),
// Zero(); Store(float*) const; static LoadTransposed(rows, n, dst) (dst[j*kLanes+l]
// = rows[l][j]) and StoreTransposed(src, columns, out, count) (out[l*columns+c] =
// src[c*kLanes+l] for l < count); and, found by argument-dependent lookup,
// operators + - * / and unary -, Sqrt, Max(a, b) = (a > b ? a : b) lane-wise,
// Frexp(x, &e) = m with x = m * 2^e and m in [sqrt(1/2), sqrt(2)) for positive
// normal x, and SelectFinite(x, r) = (x < inf ? r : x).
#ifndef NATIVE_SRC_DSP_FBANK_KERNEL_INL_H_
#define NATIVE_SRC_DSP_FBANK_KERNEL_INL_H_

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "dsp/fbank_kernel.h"
#include "dsp/fft.h"

/** Forces inlining of small helpers called in hot loops. */
#if defined(__GNUC__)
#define E2V_KERNEL_INLINE inline __attribute__((always_inline))
#else
#define E2V_KERNEL_INLINE inline
#endif

namespace e2v::dsp::kernel {

/** A complex value per lane. */
template <class V>
struct Complex {
  V re;
  V im;
};

template <class V>
inline Complex<V> LoadComplex(const float* buf, int element) {
  return {V::Load(buf + 2 * element * V::kLanes), V::Load(buf + (2 * element + 1) * V::kLanes)};
}

template <class V>
inline void StoreComplex(float* buf, int element, Complex<V> z) {
  z.re.Store(buf + 2 * element * V::kLanes);
  z.im.Store(buf + (2 * element + 1) * V::kLanes);
}

template <class V>
inline Complex<V> operator+(Complex<V> a, Complex<V> b) {
  return {a.re + b.re, a.im + b.im};
}

template <class V>
inline Complex<V> operator-(Complex<V> a, Complex<V> b) {
  return {a.re - b.re, a.im - b.im};
}

/** a * (wr + i wi) for a constant twiddle. */
template <class V>
inline Complex<V> Rotate(Complex<V> a, const float* w) {
  const V wr = V::Broadcast(w[0]);
  const V wi = V::Broadcast(w[1]);
  return {a.re * wr - a.im * wi, a.re * wi + a.im * wr};
}

/** -i * a. */
template <class V>
inline Complex<V> MulMinusI(Complex<V> a) {
  return {a.im, -a.re};
}

/** Radix-2 Stockham stage: x -> y. */
template <class V>
void Radix2Stage(const FftStage& st, const float* x, float* y) {
  const int m = st.length / 2;
  const int s = st.stride;
  for (int i = 0; i < m; ++i) {
    const float* w = st.twiddles + 2 * i;
    for (int q = 0; q < s; ++q) {
      const Complex<V> a0 = LoadComplex<V>(x, q + s * i);
      const Complex<V> a1 = LoadComplex<V>(x, q + s * (i + m));
      StoreComplex(y, q + s * (2 * i), a0 + a1);
      StoreComplex(y, q + s * (2 * i + 1), i == 0 ? a0 - a1 : Rotate(a0 - a1, w));
    }
  }
}

/** Radix-3 Stockham stage: x -> y. */
template <class V>
void Radix3Stage(const FftStage& st, const float* x, float* y) {
  const int m = st.length / 3;
  const int s = st.stride;
  const V half = V::Broadcast(0.5f);
  const V sin60 = V::Broadcast(0.866025403784438647f);
  for (int i = 0; i < m; ++i) {
    const float* w = st.twiddles + 4 * i;
    for (int q = 0; q < s; ++q) {
      const Complex<V> a0 = LoadComplex<V>(x, q + s * i);
      const Complex<V> a1 = LoadComplex<V>(x, q + s * (i + m));
      const Complex<V> a2 = LoadComplex<V>(x, q + s * (i + 2 * m));
      const Complex<V> sum = a1 + a2;
      const Complex<V> diff = MulMinusI(a1 - a2);
      const Complex<V> u = {a0.re - sum.re * half, a0.im - sum.im * half};
      const Complex<V> v = {diff.re * sin60, diff.im * sin60};
      StoreComplex(y, q + s * (3 * i), a0 + sum);
      if (i == 0) {
        StoreComplex(y, q + s * (3 * i + 1), u + v);
        StoreComplex(y, q + s * (3 * i + 2), u - v);
      } else {
        StoreComplex(y, q + s * (3 * i + 1), Rotate(u + v, w));
        StoreComplex(y, q + s * (3 * i + 2), Rotate(u - v, w + 2));
      }
    }
  }
}

/** Radix-4 Stockham stage: x -> y. */
template <class V>
void Radix4Stage(const FftStage& st, const float* x, float* y) {
  const int m = st.length / 4;
  const int s = st.stride;
  for (int i = 0; i < m; ++i) {
    const float* w = st.twiddles + 6 * i;
    for (int q = 0; q < s; ++q) {
      const Complex<V> a0 = LoadComplex<V>(x, q + s * i);
      const Complex<V> a1 = LoadComplex<V>(x, q + s * (i + m));
      const Complex<V> a2 = LoadComplex<V>(x, q + s * (i + 2 * m));
      const Complex<V> a3 = LoadComplex<V>(x, q + s * (i + 3 * m));
      const Complex<V> t0 = a0 + a2;
      const Complex<V> t1 = a0 - a2;
      const Complex<V> t2 = a1 + a3;
      const Complex<V> t3 = MulMinusI(a1 - a3);
      StoreComplex(y, q + s * (4 * i), t0 + t2);
      if (i == 0) {
        StoreComplex(y, q + s * (4 * i + 1), t1 + t3);
        StoreComplex(y, q + s * (4 * i + 2), t0 - t2);
        StoreComplex(y, q + s * (4 * i + 3), t1 - t3);
      } else {
        StoreComplex(y, q + s * (4 * i + 1), Rotate(t1 + t3, w));
        StoreComplex(y, q + s * (4 * i + 2), Rotate(t0 - t2, w + 2));
        StoreComplex(y, q + s * (4 * i + 3), Rotate(t1 - t3, w + 4));
      }
    }
  }
}

/** Stockham stage of an odd prime radix p in [5, kMaxDirectRadix]: x -> y. */
template <class V>
void GenericStage(const FftStage& st, const float* x, float* y) {
  const int p = st.radix;
  const int h = (p - 1) / 2;
  const int m = st.length / p;
  const int s = st.stride;
  Complex<V> sums[kMaxDirectRadix / 2 + 1];
  Complex<V> diffs[kMaxDirectRadix / 2 + 1];
  for (int i = 0; i < m; ++i) {
    const float* w = st.twiddles + 2 * (p - 1) * i;
    for (int q = 0; q < s; ++q) {
      const Complex<V> a0 = LoadComplex<V>(x, q + s * i);
      Complex<V> b0 = a0;
      for (int r = 1; r <= h; ++r) {
        const Complex<V> ar = LoadComplex<V>(x, q + s * (i + r * m));
        const Complex<V> an = LoadComplex<V>(x, q + s * (i + (p - r) * m));
        sums[r] = ar + an;
        diffs[r] = ar - an;
        b0 = b0 + sums[r];
      }
      StoreComplex(y, q + s * (p * i), b0);
      for (int t = 1; t <= h; ++t) {
        Complex<V> even = a0;
        Complex<V> odd = {V::Zero(), V::Zero()};
        for (int r = 1; r <= h; ++r) {
          const int u = (r * t) % p;
          const V c = V::Broadcast(st.roots[2 * u]);        // cos(2 pi u / p)
          const V sn = V::Broadcast(-st.roots[2 * u + 1]);  // sin(2 pi u / p)
          even = {even.re + sums[r].re * c, even.im + sums[r].im * c};
          odd = {odd.re + diffs[r].re * sn, odd.im + diffs[r].im * sn};
        }
        const Complex<V> rot = MulMinusI(odd);
        const Complex<V> bt = even + rot;
        const Complex<V> bn = even - rot;
        StoreComplex(y, q + s * (p * i + t), i == 0 ? bt : Rotate(bt, w + 2 * (t - 1)));
        StoreComplex(y, q + s * (p * i + p - t), i == 0 ? bn : Rotate(bn, w + 2 * (p - t - 1)));
      }
    }
  }
}

/** Runs the stages of a direct plan, ping-ponging between x and y; returns the buffer with the result. */
template <class V>
float* RunStages(const FftView& plan, float* x, float* y) {
  for (int k = 0; k < plan.num_stages; ++k) {
    const FftStage& st = plan.stages[k];
    switch (st.radix) {
      case 2:
        Radix2Stage<V>(st, x, y);
        break;
      case 3:
        Radix3Stage<V>(st, x, y);
        break;
      case 4:
        Radix4Stage<V>(st, x, y);
        break;
      default:
        GenericStage<V>(st, x, y);
        break;
    }
    float* t = x;
    x = y;
    y = t;
  }
  return x;
}

/**
 * Forward complex FFT of plan.size points per lane, input in `a`. Returns the
 * buffer holding the result (a or b). c and d are used by Bluestein plans only.
 */
template <class V>
float* Fft(const FftView& plan, float* a, float* b, float* c, float* d) {
  if (plan.conv_size == 0) return RunStages<V>(plan, a, b);
  // Bluestein: X[k] = chirp[k] * sum_m (x[m] chirp[m]) conj(chirp[k - m]), a
  // circular convolution of conv_size points done with two FFTs (the inverse as
  // conj(FFT(conj(.))); the filter spectrum already carries the 1/conv_size).
  const int n = plan.size;
  const int conv = plan.conv_size;
  for (int k = 0; k < n; ++k) StoreComplex(c, k, Rotate(LoadComplex<V>(a, k), plan.chirp + 2 * k));
  for (int k = n; k < conv; ++k) StoreComplex(c, k, Complex<V>{V::Zero(), V::Zero()});
  float* spectrum = RunStages<V>(*plan.conv, c, d);
  for (int k = 0; k < conv; ++k) {
    const Complex<V> z = Rotate(LoadComplex<V>(spectrum, k), plan.filter_spectrum + 2 * k);
    StoreComplex(spectrum, k, Complex<V>{z.re, -z.im});
  }
  float* convolved = RunStages<V>(*plan.conv, spectrum, spectrum == c ? d : c);
  for (int k = 0; k < n; ++k) {
    const Complex<V> z = LoadComplex<V>(convolved, k);
    StoreComplex(a, k, Rotate(Complex<V>{z.re, -z.im}, plan.chirp + 2 * k));
  }
  return a;
}

/** Sum over j < n of buf[j * kLanes] (four partial sums, fixed order). */
template <class V>
V SumRows(const float* buf, int n) {
  constexpr int L = V::kLanes;
  V s0 = V::Zero(), s1 = V::Zero(), s2 = V::Zero(), s3 = V::Zero();
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 = s0 + V::Load(buf + j * L);
    s1 = s1 + V::Load(buf + (j + 1) * L);
    s2 = s2 + V::Load(buf + (j + 2) * L);
    s3 = s3 + V::Load(buf + (j + 3) * L);
  }
  for (; j < n; ++j) s0 = s0 + V::Load(buf + j * L);
  return (s0 + s1) + (s2 + s3);
}

/** Sum over j < n of buf[j * kLanes]^2 (four partial sums, fixed order). */
template <class V>
V SumSquaredRows(const float* buf, int n) {
  constexpr int L = V::kLanes;
  V s0 = V::Zero(), s1 = V::Zero(), s2 = V::Zero(), s3 = V::Zero();
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    const V x0 = V::Load(buf + j * L);
    const V x1 = V::Load(buf + (j + 1) * L);
    const V x2 = V::Load(buf + (j + 2) * L);
    const V x3 = V::Load(buf + (j + 3) * L);
    s0 = s0 + x0 * x0;
    s1 = s1 + x1 * x1;
    s2 = s2 + x2 * x2;
    s3 = s3 + x3 * x3;
  }
  for (; j < n; ++j) {
    const V x = V::Load(buf + j * L);
    s0 = s0 + x * x;
  }
  return (s0 + s1) + (s2 + s3);
}

/**
 * Natural log of x >= FLT_MIN (inf and NaN pass through): x = m 2^e, and
 * ln m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.172, by its series
 * to s^11 (truncation error < 2e-11). Error about 1 ulp of the result.
 */
template <class V>
E2V_KERNEL_INLINE V Log(V x) {
  V e;
  const V m = Frexp(x, &e);
  const V f = m - V::Broadcast(1.0f);
  const V s = f / (f + V::Broadcast(2.0f));
  const V z = s * s;
  const V series =
      z * (V::Broadcast(1.0f / 3) +
           z * (V::Broadcast(1.0f / 5) +
                z * (V::Broadcast(1.0f / 7) + z * (V::Broadcast(1.0f / 9) + z * V::Broadcast(1.0f / 11)))));
  const V two_s = s + s;
  const V log_m = two_s + two_s * series;
  // ln 2 split so that e * kLn2Hi is exact for |e| < 2^11.
  const V ln2_hi = V::Broadcast(0.693145751953125f);
  const V ln2_lo = V::Broadcast(1.42860682030941723212e-6f);
  return SelectFinite(x, e * ln2_hi + (e * ln2_lo + log_m));
}

/**
 * Time-domain steps on the transposed batch in x, in place: remove the mean,
 * take the raw energy, pre-emphasize (x[j] -= c x[j-1], x[0] -= c x[0]),
 * window, zero-pad. Returns the energy (sum of squares) when use_energy:
 * before pre-emphasis with raw_energy, else after the window.
 */
template <class V>
V PrepareFrames(const FbankKernelPlan& p, float* x) {
  constexpr int L = V::kLanes;
  const int n = p.window_size;
  const V mean = p.remove_dc_offset ? SumRows<V>(x, n) / V::Broadcast(static_cast<float>(n)) : V::Zero();
  const V c = V::Broadcast(p.preemphasis);
  const bool raw_energy = p.use_energy && p.raw_energy;
  V e0 = V::Zero(), e1 = V::Zero();  // partial energy sums of even and odd j
  // One pass, two samples at a time; `prev` carries the mean-removed x[j-1]
  // because x[j-1] is already overwritten. With c = 0 the step leaves x unchanged.
  V prev = V::Load(x) - mean;
  int j = 0;
  for (; j + 2 <= n; j += 2) {
    const V a = V::Load(x + j * L) - mean;
    const V b = V::Load(x + (j + 1) * L) - mean;
    if (raw_energy) {
      e0 = e0 + a * a;
      e1 = e1 + b * b;
    }
    ((a - c * prev) * V::Broadcast(p.window[j])).Store(x + j * L);
    ((b - c * a) * V::Broadcast(p.window[j + 1])).Store(x + (j + 1) * L);
    prev = b;
  }
  if (j < n) {
    const V a = V::Load(x + j * L) - mean;
    if (raw_energy) e0 = e0 + a * a;
    ((a - c * prev) * V::Broadcast(p.window[j])).Store(x + j * L);
  }
  for (int k = n; k < 2 * p.fft_size; ++k) V::Zero().Store(x + k * L);
  if (raw_energy) return e0 + e1;
  if (p.use_energy) return SumSquaredRows<V>(x, n);
  return V::Zero();
}

/**
 * Power (or magnitude) spectrum bins [spectrum_begin, spectrum_end) of the real
 * frames whose half-size complex FFT is z, written to power[k * kLanes]:
 * X[k] = (Z[k] + conj Z[M-k]) / 2 - i W^k (Z[k] - conj Z[M-k]) / 2, W = exp(-2 pi i / 2M).
 */
template <class V>
void PowerSpectrum(const FbankKernelPlan& p, const float* z, float* power) {
  const int m = p.fft_size;
  const V half = V::Broadcast(0.5f);
  for (int k = p.spectrum_begin; k < p.spectrum_end; ++k) {
    const Complex<V> a = LoadComplex<V>(z, k);
    const Complex<V> b = LoadComplex<V>(z, k == 0 ? 0 : m - k);
    const V even_re = (a.re + b.re) * half;
    const V even_im = (a.im - b.im) * half;
    const V odd_re = (a.re - b.re) * half;
    const V odd_im = (a.im + b.im) * half;
    const V wr = V::Broadcast(p.split_twiddles[2 * k]);
    const V wi = V::Broadcast(p.split_twiddles[2 * k + 1]);
    const V re = even_re + (wr * odd_im + wi * odd_re);
    const V im = even_im + (wi * odd_im - wr * odd_re);
    const V pw = re * re + im * im;
    (p.use_power ? pw : Sqrt(pw)).Store(power + k * V::kLanes);
  }
}

/** One batch: frames -> feature rows (see FbankKernel::run). */
template <class V>
void ComputeBatch(const FbankKernelPlan& p, const float* const* frames, int count, float* out,
                  const FbankScratch& scratch) {
  constexpr int L = V::kLanes;
  V::LoadTransposed(frames, p.window_size, scratch.a);
  const V energy = PrepareFrames<V>(p, scratch.a);
  const float* z = Fft<V>(*p.fft, scratch.a, scratch.b, scratch.c, scratch.d);
  float* power = z == scratch.a ? scratch.b : scratch.a;
  PowerSpectrum<V>(p, z, power);

  const V eps = V::Broadcast(1.1920928955078125e-07f);  // float32 epsilon, as torchaudio
  const int first = p.use_energy ? 1 : 0;
  for (int b = 0; b < p.num_bins; ++b) {
    const float* w = p.mel_weights + p.mel_offset[b];
    const int begin = p.mel_begin[b];
    V acc = V::Zero();
    for (int k = begin; k < p.mel_end[b]; ++k) acc = acc + V::Broadcast(w[k - begin]) * V::Load(power + k * L);
    (p.use_log_fbank ? Log(Max(eps, acc)) : acc).Store(scratch.block + (first + b) * L);
  }
  if (p.use_energy) {
    V log_energy = Log(Max(eps, energy));
    if (p.energy_floor_active) log_energy = Max(V::Broadcast(p.log_energy_floor), log_energy);
    log_energy.Store(scratch.block);
  }
  V::StoreTransposed(scratch.block, p.columns, out, count);
}

}  // namespace e2v::dsp::kernel

#endif  // NATIVE_SRC_DSP_FBANK_KERNEL_INL_H_
