// Depthwise convolution (channel multiplier 1) and its filter gradient in WebAssembly SIMD, for large kernels
// (LD's 21x21 and up), where XNNPACK's generic path in tfjs-backend-wasm reaches well under 1 GMAC/s.
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
