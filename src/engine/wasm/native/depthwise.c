// Depthwise convolution (channel multiplier 1) and its filter gradient in WebAssembly SIMD, for large kernels
// (LD's 21x21 and up), where XNNPACK's generic path in tfjs-backend-wasm reaches well under 1 GMAC/s; and the
// kernel gradient of dense convolutions, which XNNPACK can only do as a convolution of transposed operands with
// one input channel per sample (3-4x the forward convolution's time on DyConv's per-sample shapes).
//
// Tensors are "channel-blocked": [N, CB, H, W, 4] with CB = ceil(C / 4), so that one v128 holds the same pixel
// of four channels and a row of one block is contiguous. Kernels are [CB, KH, KW, 4]. The pack functions
// convert from and to TF.js's NHWC, applying padding, cropping, zero insertion (for transposed convolutions)
// and kernel flipping on the way, so the compute loops never test bounds.
//
// Build: see scripts/build-wasm.sh (clang --target=wasm32 -msimd128). No libc.
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef float f32;

// Copies NHWC src [N, H, W, C] into blocked dst [N, CB, Hp, Wp, 4] (zeroed first): source pixel (h, w) lands at
// (top + h * stepH, left + w * stepW); pixels that land outside [0, Hp) x [0, Wp) are dropped.
EXPORT(pack_nhwc)
void pack_nhwc(const f32 *src, f32 *dst, int N, int H, int W, int C, int CB, int Hp, int Wp, int top, int left,
               int stepH, int stepW) {
  long total = (long)N * CB * Hp * Wp * 4;
  __builtin_memset(dst, 0, total * sizeof(f32));
  for (int n = 0; n < N; n++) {
    for (int h = 0; h < H; h++) {
      int y = top + h * stepH;
      if (y < 0 || y >= Hp) continue;
      for (int w = 0; w < W; w++) {
        int x = left + w * stepW;
        if (x < 0 || x >= Wp) continue;
        const f32 *s = src + (((long)n * H + h) * W + w) * C;
        for (int c = 0; c < C; c++) {
          dst[((((long)n * CB + (c >> 2)) * Hp + y) * Wp + x) * 4 + (c & 3)] = s[c];
        }
      }
    }
  }
}

// Blocked src [N, CB, H, W, 4] to NHWC dst [N, H, W, C].
EXPORT(unpack_nhwc)
void unpack_nhwc(const f32 *src, f32 *dst, int N, int H, int W, int C, int CB) {
  for (int n = 0; n < N; n++)
    for (int h = 0; h < H; h++)
      for (int w = 0; w < W; w++) {
        f32 *d = dst + (((long)n * H + h) * W + w) * C;
        for (int c = 0; c < C; c++) d[c] = src[((((long)n * CB + (c >> 2)) * H + h) * W + w) * 4 + (c & 3)];
      }
}

// Kernel [KH, KW, C] (TF.js [KH, KW, C, 1]) to blocked [CB, KH, KW, 4]; flip = 1 rotates it by 180 degrees
// (the kernel of the input gradient).
EXPORT(pack_kernel)
void pack_kernel(const f32 *src, f32 *dst, int KH, int KW, int C, int CB, int flip) {
  __builtin_memset(dst, 0, (long)CB * KH * KW * 4 * sizeof(f32));
  for (int i = 0; i < KH; i++)
    for (int j = 0; j < KW; j++)
      for (int c = 0; c < C; c++) {
        int si = flip ? KH - 1 - i : i, sj = flip ? KW - 1 - j : j;
        dst[(((long)(c >> 2) * KH + i) * KW + j) * 4 + (c & 3)] = src[((long)si * KW + sj) * C + c];
      }
}

// Blocked [CB, KH, KW, 4] to [KH, KW, C].
EXPORT(unpack_kernel)
void unpack_kernel(const f32 *src, f32 *dst, int KH, int KW, int C, int CB) {
  for (int i = 0; i < KH; i++)
    for (int j = 0; j < KW; j++)
      for (int c = 0; c < C; c++) dst[((long)i * KW + j) * C + c] = src[(((long)(c >> 2) * KH + i) * KW + j) * 4 + (c & 3)];
}

// y[n, cb, oy, ox] = sum_{i, j} x[n, cb, oy*sh + i*dh, ox*sw + j*dw] * k[cb, i, j] on padded, blocked x
// [N, CB, Hp, Wp, 4]; y is [N, CB, Ho, Wo, 4]. Eight output columns at a time stay in registers.
EXPORT(dw_conv)
void dw_conv(const f32 *x, const f32 *k, f32 *y, int N, int CB, int Hp, int Wp, int KH, int KW, int Ho, int Wo,
             int sh, int sw, int dh, int dw) {
  for (int n = 0; n < N; n++) {
    for (int cb = 0; cb < CB; cb++) {
      const f32 *X = x + ((long)n * CB + cb) * Hp * Wp * 4;
      const f32 *K = k + (long)cb * KH * KW * 4;
      f32 *Y = y + ((long)n * CB + cb) * Ho * Wo * 4;
      const int cs = sw * 4;  // floats between consecutive output columns in the input
      for (int oy = 0; oy < Ho; oy++) {
        int ox = 0;
        for (; ox + 8 <= Wo; ox += 8) {
          v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
          for (int i = 0; i < KH; i++) {
            const f32 *r = X + ((long)(oy * sh + i * dh) * Wp + ox * sw) * 4;
            const f32 *kr = K + (long)i * KW * 4;
            for (int j = 0; j < KW; j++) {
              v128_t kv = wasm_v128_load(kr + j * 4);
              const f32 *p = r + j * dw * 4;
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(p), kv));
              a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(p + cs), kv));
              a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(p + 2 * cs), kv));
              a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(p + 3 * cs), kv));
              a4 = wasm_f32x4_add(a4, wasm_f32x4_mul(wasm_v128_load(p + 4 * cs), kv));
              a5 = wasm_f32x4_add(a5, wasm_f32x4_mul(wasm_v128_load(p + 5 * cs), kv));
              a6 = wasm_f32x4_add(a6, wasm_f32x4_mul(wasm_v128_load(p + 6 * cs), kv));
              a7 = wasm_f32x4_add(a7, wasm_f32x4_mul(wasm_v128_load(p + 7 * cs), kv));
            }
          }
          f32 *o = Y + ((long)oy * Wo + ox) * 4;
          wasm_v128_store(o, a0); wasm_v128_store(o + 4, a1); wasm_v128_store(o + 8, a2); wasm_v128_store(o + 12, a3);
          wasm_v128_store(o + 16, a4); wasm_v128_store(o + 20, a5); wasm_v128_store(o + 24, a6); wasm_v128_store(o + 28, a7);
        }
        for (; ox < Wo; ox++) {
          v128_t a = wasm_f32x4_splat(0);
          for (int i = 0; i < KH; i++) {
            const f32 *r = X + ((long)(oy * sh + i * dh) * Wp + ox * sw) * 4;
            const f32 *kr = K + (long)i * KW * 4;
            for (int j = 0; j < KW; j++) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(r + j * dw * 4), wasm_v128_load(kr + j * 4)));
          }
          wasm_v128_store(Y + ((long)oy * Wo + ox) * 4, a);
        }
      }
    }
  }
}

// g[cb, i, j] = sum_{n, oy, ox} x[n, cb, oy*sh + i*dh, ox*sw + j*dw] * dy[n, cb, oy, ox]: the kernel gradient,
// on padded, blocked x [N, CB, Hp, Wp, 4] and blocked dy [N, CB, Ho, Wo, 4]. Eight taps at a time stay in
// registers while the whole output plane streams past.
EXPORT(dw_filter_grad)
void dw_filter_grad(const f32 *x, const f32 *dy, f32 *g, int N, int CB, int Hp, int Wp, int KH, int KW, int Ho,
                    int Wo, int sh, int sw, int dh, int dw) {
  const int ts = dw * 4;  // floats between consecutive taps in the input
  for (int cb = 0; cb < CB; cb++) {
    for (int i = 0; i < KH; i++) {
      int j = 0;
      for (; j + 8 <= KW; j += 8) {
        v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int n = 0; n < N; n++) {
          const f32 *X = x + ((long)n * CB + cb) * Hp * Wp * 4;
          const f32 *D = dy + ((long)n * CB + cb) * Ho * Wo * 4;
          for (int oy = 0; oy < Ho; oy++) {
            const f32 *r = X + ((long)(oy * sh + i * dh) * Wp + j * dw) * 4;
            const f32 *d = D + (long)oy * Wo * 4;
            for (int ox = 0; ox < Wo; ox++) {
              v128_t dv = wasm_v128_load(d + ox * 4);
              const f32 *p = r + (long)ox * sw * 4;
              a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(p), dv));
              a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(p + ts), dv));
              a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(p + 2 * ts), dv));
              a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(p + 3 * ts), dv));
              a4 = wasm_f32x4_add(a4, wasm_f32x4_mul(wasm_v128_load(p + 4 * ts), dv));
              a5 = wasm_f32x4_add(a5, wasm_f32x4_mul(wasm_v128_load(p + 5 * ts), dv));
              a6 = wasm_f32x4_add(a6, wasm_f32x4_mul(wasm_v128_load(p + 6 * ts), dv));
              a7 = wasm_f32x4_add(a7, wasm_f32x4_mul(wasm_v128_load(p + 7 * ts), dv));
            }
          }
        }
        f32 *o = g + (((long)cb * KH + i) * KW + j) * 4;
        wasm_v128_store(o, a0); wasm_v128_store(o + 4, a1); wasm_v128_store(o + 8, a2); wasm_v128_store(o + 12, a3);
        wasm_v128_store(o + 16, a4); wasm_v128_store(o + 20, a5); wasm_v128_store(o + 24, a6); wasm_v128_store(o + 28, a7);
      }
      for (; j < KW; j++) {
        v128_t a = wasm_f32x4_splat(0);
        for (int n = 0; n < N; n++) {
          const f32 *X = x + ((long)n * CB + cb) * Hp * Wp * 4;
          const f32 *D = dy + ((long)n * CB + cb) * Ho * Wo * 4;
          for (int oy = 0; oy < Ho; oy++) {
            const f32 *r = X + ((long)(oy * sh + i * dh) * Wp + j * dw) * 4;
            const f32 *d = D + (long)oy * Wo * 4;
            for (int ox = 0; ox < Wo; ox++) a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(r + (long)ox * sw * 4), wasm_v128_load(d + ox * 4)));
          }
        }
        wasm_v128_store(g + (((long)cb * KH + i) * KW + j) * 4, a);
      }
    }
  }
}

// g[i, j, ci, co] = sum_{n, oy, ox} x[n, ci, oy*sh + i*dh, ox*sw + j*dw] * dy[n, co, oy, ox]: the kernel gradient
// of a dense convolution, on padded, blocked x [N, CIB, Hp, Wp, 4] and blocked dy [N, COB, Ho, Wo, 4], COB
// even (the caller adds a block of zeros); g is [KH, KW, CIB*4, COB*4]. A tile of 4 input x 8 output channels
// of one tap stays in eight registers while the output plane streams past; each input vector's four lanes are
// broadcast in turn.
#define LANE(v, l) wasm_i32x4_shuffle(v, v, l, l, l, l)
#define MAC(a, s, d) a = wasm_f32x4_add(a, wasm_f32x4_mul(s, d))
EXPORT(conv_filter_grad)
void conv_filter_grad(const f32 *x, const f32 *dy, f32 *g, int N, int CIB, int COB, int Hp, int Wp, int KH, int KW,
                      int Ho, int Wo, int sh, int sw, int dh, int dw) {
  const long cop = (long)COB * 4;
  const long plane = (long)Ho * Wo * 4;
  for (int i = 0; i < KH; i++) {
    for (int j = 0; j < KW; j++) {
      f32 *tap = g + ((long)i * KW + j) * CIB * 4 * cop;
      for (int cb = 0; cb < CIB; cb++) {
        for (int ob = 0; ob < COB; ob += 2) {
          v128_t a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
          for (int n = 0; n < N; n++) {
            const f32 *X = x + ((long)n * CIB + cb) * Hp * Wp * 4 + ((long)i * dh * Wp + (long)j * dw) * 4;
            const f32 *D = dy + ((long)n * COB + ob) * plane;
            for (int oy = 0; oy < Ho; oy++) {
              const f32 *r = X + (long)oy * sh * Wp * 4;
              const f32 *d = D + (long)oy * Wo * 4;
              for (int ox = 0; ox < Wo; ox++) {
                v128_t xv = wasm_v128_load(r + (long)ox * sw * 4);
                v128_t d0 = wasm_v128_load(d + ox * 4), d1 = wasm_v128_load(d + plane + ox * 4);
                v128_t s0 = LANE(xv, 0), s1 = LANE(xv, 1), s2 = LANE(xv, 2), s3 = LANE(xv, 3);
                MAC(a00, s0, d0); MAC(a01, s0, d1); MAC(a10, s1, d0); MAC(a11, s1, d1);
                MAC(a20, s2, d0); MAC(a21, s2, d1); MAC(a30, s3, d0); MAC(a31, s3, d1);
              }
            }
          }
          f32 *o = tap + (long)cb * 4 * cop + ob * 4;
          wasm_v128_store(o, a00); wasm_v128_store(o + 4, a01);
          wasm_v128_store(o + cop, a10); wasm_v128_store(o + cop + 4, a11);
          wasm_v128_store(o + 2 * cop, a20); wasm_v128_store(o + 2 * cop + 4, a21);
          wasm_v128_store(o + 3 * cop, a30); wasm_v128_store(o + 3 * cop + 4, a31);
        }
      }
    }
  }
}
