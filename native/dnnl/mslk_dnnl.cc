// Dense 2-D convolutions (forward, input gradient, kernel gradient) and a single-precision matrix product on
// oneDNN, the CPU library PyTorch itself uses, for mslk's wasm backend: the tensors stay where they are (views of
// the wasm heap, NHWC activations and TF.js's HWIO kernels), oneDNN runs on every thread OpenMP is given.
//
// Every entry point is synchronous and runs on Node's main thread; primitives are cached by their geometry, so a
// training step builds each one once. Errors (a geometry oneDNN refuses) come back as JS exceptions, never aborts.
#include <node_api.h>
#include <omp.h>

#include <cstdint>
#include <algorithm>
#include <cmath>
#include <vector>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>

#include "oneapi/dnnl/dnnl.hpp"

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

// Geometry of one convolution, in TF.js terms: x [n, h, w, c], kernel [kh, kw, c, o], y [n, oh, ow, o]; with
// groups = c (depthwise, channel multiplier o / c) the kernel is TF.js's depthwise one, [kh, kw, c, o / c].
struct Geometry {
  int64_t n, h, w, c, kh, kw, o, oh, ow, sh, sw, dh, dw, top, left, bottom, right, groups;
  bool bias, relu;

  std::string key(int kind) const {
    std::ostringstream s;
    // A primitive divides its work among the threads there are when it is created: the count is part of its key.
    s << omp_get_max_threads() << '/' << kind << ':' << n << ',' << h << ',' << w << ',' << c << ',' << kh << ',' << kw << ',' << o << ',' << oh << ','
      << ow << ',' << sh << ',' << sw << ',' << dh << ',' << dw << ',' << top << ',' << left << ',' << bottom << ','
      << right << ',' << groups << ',' << bias << relu;
    return s.str();
  }
  memory::desc src(tag t = tag::nhwc) const { return memory::desc({n, c, h, w}, dt::f32, t); }
  memory::desc dst(tag t = tag::nhwc) const { return memory::desc({n, o, oh, ow}, dt::f32, t); }
  memory::desc weights(tag t) const {
    if (groups == 1) return memory::desc({o, c, kh, kw}, dt::f32, t);
    return memory::desc({groups, o / groups, c / groups, kh, kw}, dt::f32, t);
  }
  // TF.js's own kernel layout: HWIO, and for depthwise [kh, kw, c, multiplier], which is oneDNN's hwigo (i = 1).
  memory::desc userWeights() const { return weights(groups == 1 ? tag::hwio : tag::hwigo); }
  memory::desc biasDesc() const { return memory::desc({o}, dt::f32, tag::x); }
  memory::dims strides() const { return {sh, sw}; }
  // oneDNN counts dilation from 0 (no gap), TF.js from 1.
  memory::dims dilations() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {top, left}; }
  memory::dims padR() const { return {bottom, right}; }
};

dnnl::convolution_forward::primitive_desc forwardDesc(const Geometry &g) {
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src(),
      g.weights(tag::any), g.bias ? g.biasDesc() : memory::desc(), g.dst(), g.strides(), g.dilations(), g.padL(),
      g.padR());
  dnnl::primitive_attr attr;
  if (g.relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
}

Geometry forwardOnly(Geometry g) {
  g.bias = false;
  g.relu = false;
  return g;
}

// One cached primitive with the reorder between TF.js's HWIO kernel and the layout the primitive chose.
struct Cached {
  dnnl::primitive primitive;
  memory::desc kernelDesc;  // the primitive's own kernel layout
  bool reorderKernel = false;
  dnnl::reorder toPrimitive;    // HWIO -> kernelDesc (forward, input gradient)
  dnnl::reorder fromPrimitive;  // kernelDesc -> HWIO (kernel gradient)
  std::string impl;
};

std::unordered_map<std::string, std::unique_ptr<Cached>> &cache() {
  static std::unordered_map<std::string, std::unique_ptr<Cached>> entries;
  return entries;
}

enum Kind { kForward = 0, kInputGrad = 1, kKernelGrad = 2 };

Cached &primitiveFor(int kind, const Geometry &g) {
  const std::string key = g.key(kind);
  auto found = cache().find(key);
  if (found != cache().end()) return *found->second;
  auto entry = std::make_unique<Cached>();
  const memory::desc hwio = g.userWeights();
  if (kind == kForward) {
    auto pd = forwardDesc(g);
    entry->primitive = dnnl::convolution_forward(pd);
    entry->kernelDesc = pd.weights_desc();
    entry->impl = pd.impl_info_str();
  } else if (kind == kInputGrad) {
    auto hint = forwardDesc(forwardOnly(g));
    dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.weights(tag::any), g.dst(),
        g.strides(), g.dilations(), g.padL(), g.padR());
    dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
    entry->primitive = dnnl::convolution_backward_data(pd);
    entry->kernelDesc = pd.weights_desc();
    entry->impl = pd.impl_info_str();
  } else {
    auto hint = forwardDesc(forwardOnly(g));
    dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.src(), g.weights(tag::any),
        g.dst(), g.strides(), g.dilations(), g.padL(), g.padR());
    dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
    entry->primitive = dnnl::convolution_backward_weights(pd);
    entry->kernelDesc = pd.diff_weights_desc();
    entry->impl = pd.impl_info_str();
  }
  entry->reorderKernel = entry->kernelDesc != hwio;
  if (entry->reorderKernel) {
    if (kind == kKernelGrad) {
      entry->fromPrimitive = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), entry->kernelDesc, cpuEngine(), hwio));
    } else {
      entry->toPrimitive = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), hwio, cpuEngine(), entry->kernelDesc));
    }
  }
  Cached &ref = *entry;
  cache().emplace(key, std::move(entry));
  return ref;
}

// Runs one convolution. x, kernel and y are the TF.js tensors of the geometry (which of them is written depends on
// the kind: y for the forward pass, x for the input gradient, kernel for the kernel gradient).
void runConvolution(int kind, const Geometry &g, float *x, float *kernel, float *y, float *bias) {
  Cached &c = primitiveFor(kind, g);
  dnnl::stream &s = cpuStream();
  memory xMem(g.src(), cpuEngine(), x);
  memory yMem(g.dst(), cpuEngine(), y);
  memory hwioMem(g.userWeights(), cpuEngine(), kernel);
  memory kernelMem = hwioMem;
  if (c.reorderKernel) kernelMem = memory(c.kernelDesc, cpuEngine());
  if (kind != kKernelGrad && c.reorderKernel) c.toPrimitive.execute(s, hwioMem, kernelMem);
  if (kind == kForward) {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, xMem}, {DNNL_ARG_WEIGHTS, kernelMem}, {DNNL_ARG_DST, yMem}};
    if (g.bias) args.emplace(DNNL_ARG_BIAS, memory(g.biasDesc(), cpuEngine(), bias));
    c.primitive.execute(s, args);
  } else if (kind == kInputGrad) {
    c.primitive.execute(s, {{DNNL_ARG_DIFF_SRC, xMem}, {DNNL_ARG_WEIGHTS, kernelMem}, {DNNL_ARG_DIFF_DST, yMem}});
  } else {
    c.primitive.execute(s, {{DNNL_ARG_SRC, xMem}, {DNNL_ARG_DIFF_WEIGHTS, kernelMem}, {DNNL_ARG_DIFF_DST, yMem}});
    if (c.reorderKernel) c.fromPrimitive.execute(s, kernelMem, hwioMem);
  }
  s.wait();
}

// ---- Node-API glue ----

napi_value throwError(napi_env env, const std::string &message) {
  napi_throw_error(env, "MSLK_DNNL", message.c_str());
  return nullptr;
}

bool float32Data(napi_env env, napi_value value, float **data, size_t *length) {
  bool isTyped = false;
  if (napi_is_typedarray(env, value, &isTyped) != napi_ok || !isTyped) return false;
  napi_typedarray_type type;
  void *raw = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float *>(raw);
  return true;
}

bool int64At(napi_env env, napi_value array, uint32_t i, int64_t *out) {
  napi_value item;
  if (napi_get_element(env, array, i, &item) != napi_ok) return false;
  return napi_get_value_int64(env, item, out) == napi_ok;
}

// The 18 integers of a geometry, in the order of Geometry's fields; false when one is missing or not a positive
// count where it must be.
bool readGeometry(napi_env env, napi_value array, Geometry *g) {
  int64_t v[18];
  for (uint32_t i = 0; i < 18; i++) {
    if (!int64At(env, array, i, &v[i])) return false;
  }
  *g = Geometry{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15],
      v[16], v[17], false, false};
  return g->groups >= 1 && g->c % g->groups == 0 && g->o % g->groups == 0;
}

// conv2d(kind, x, kernel, y, geometry[18], bias | null, relu): kind 0 forward (writes y), 1 input gradient (writes
// x from y = dy), 2 kernel gradient (writes kernel from x and y = dy).
napi_value Conv2d(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 5) return throwError(env, "conv2d(kind, x, kernel, y, geometry, bias?, relu?) takes at least 5 arguments");
  int32_t kind = -1;
  napi_get_value_int32(env, argv[0], &kind);
  if (kind < 0 || kind > 2) return throwError(env, "conv2d: kind must be 0 (forward), 1 (input gradient) or 2 (kernel gradient)");
  float *x = nullptr, *kernel = nullptr, *y = nullptr, *bias = nullptr;
  size_t xLen = 0, kLen = 0, yLen = 0, bLen = 0;
  if (!float32Data(env, argv[1], &x, &xLen) || !float32Data(env, argv[2], &kernel, &kLen) ||
      !float32Data(env, argv[3], &y, &yLen)) {
    return throwError(env, "conv2d: x, kernel and y must be Float32Arrays");
  }
  Geometry g;
  if (!readGeometry(env, argv[4], &g)) return throwError(env, "conv2d: geometry must hold 18 integers");
  if (argc > 5) {
    napi_valuetype type;
    napi_typeof(env, argv[5], &type);
    if (type != napi_null && type != napi_undefined) {
      if (!float32Data(env, argv[5], &bias, &bLen) || static_cast<int64_t>(bLen) != g.o) {
        return throwError(env, "conv2d: bias must be a Float32Array of the output channels");
      }
      g.bias = true;
    }
  }
  if (argc > 6) napi_get_value_bool(env, argv[6], &g.relu);
  if (static_cast<int64_t>(xLen) != g.n * g.h * g.w * g.c || static_cast<int64_t>(kLen) != g.kh * g.kw * (g.c / g.groups) * g.o ||
      static_cast<int64_t>(yLen) != g.n * g.oh * g.ow * g.o) {
    return throwError(env, "conv2d: a tensor's length does not match the geometry");
  }
  try {
    runConvolution(kind, g, x, kernel, y, bias);
  } catch (const dnnl::error &e) {
    return throwError(env, std::string("oneDNN refused the convolution ") + g.key(kind) + ": " + e.what());
  }
  return nullptr;
}

// implementation(kind, geometry[18]): the name of the oneDNN implementation the geometry runs on (e.g.
// "jit:avx512_core", or "ref:any" where no optimised kernel applies).
napi_value Implementation(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = 0;
  napi_get_value_int32(env, argv[0], &kind);
  Geometry g;
  if (!readGeometry(env, argv[1], &g)) return throwError(env, "implementation: geometry must hold 18 integers");
  try {
    Cached &c = primitiveFor(kind, g);
    napi_value out;
    napi_create_string_utf8(env, c.impl.c_str(), c.impl.size(), &out);
    return out;
  } catch (const dnnl::error &e) {
    return throwError(env, std::string("oneDNN refused the convolution: ") + e.what());
  }
}

// sgemm(m, n, k, a, b, c): c[m x n] = a[m x k] * b[k x n], row-major (for measuring the machine's peak).
napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int64_t m = 0, n = 0, k = 0;
  napi_get_value_int64(env, argv[0], &m);
  napi_get_value_int64(env, argv[1], &n);
  napi_get_value_int64(env, argv[2], &k);
  float *a = nullptr, *b = nullptr, *c = nullptr;
  size_t aLen = 0, bLen = 0, cLen = 0;
  if (!float32Data(env, argv[3], &a, &aLen) || !float32Data(env, argv[4], &b, &bLen) || !float32Data(env, argv[5], &c, &cLen) ||
      static_cast<int64_t>(aLen) != m * k || static_cast<int64_t>(bLen) != k * n || static_cast<int64_t>(cLen) != m * n) {
    return throwError(env, "sgemm: a, b and c must be Float32Arrays of m*k, k*n and m*n values");
  }
  if (dnnl_sgemm('N', 'N', m, n, k, 1.0f, a, k, b, n, 0.0f, c, n) != dnnl_success) return throwError(env, "sgemm failed");
  return nullptr;
}

// ---- Memory-bound kernels the wasm backend runs slowly (no oneDNN: plain loops, float64 accumulators) ----

// poolGrad(kind, dy, x, dx, [n, h, w, c, oh, ow, fh, fw, sh, sw, top, left]): kind 0 is AvgPoolGrad (dy / (fh * fw)
// into every window, as TF.js defines it), 1 is MaxPoolGrad (dy to the first largest input of each window, in
// row-major order). Contributions to a pixel are added in output order, the order of the cpu backend's gather.
napi_value PoolGrad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t kind = -1;
  napi_get_value_int32(env, argv[0], &kind);
  float *dy = nullptr, *x = nullptr, *dx = nullptr;
  size_t dyLen = 0, xLen = 0, dxLen = 0;
  if (kind < 0 || kind > 1 || !float32Data(env, argv[1], &dy, &dyLen) || !float32Data(env, argv[2], &x, &xLen) ||
      !float32Data(env, argv[3], &dx, &dxLen)) {
    return throwError(env, "poolGrad(kind 0|1, dy, x, dx, geometry): Float32Arrays expected");
  }
  int64_t v[12];
  for (uint32_t i = 0; i < 12; i++) {
    if (!int64At(env, argv[4], i, &v[i])) return throwError(env, "poolGrad: geometry must hold 12 integers");
  }
  const int64_t n = v[0], h = v[1], w = v[2], c = v[3], oh = v[4], ow = v[5], fh = v[6], fw = v[7], sh = v[8], sw = v[9],
      top = v[10], left = v[11];
  if (static_cast<int64_t>(dyLen) != n * oh * ow * c || static_cast<int64_t>(xLen) != n * h * w * c ||
      static_cast<int64_t>(dxLen) != n * h * w * c) {
    return throwError(env, "poolGrad: a tensor's length does not match the geometry");
  }
  const double multiplier = 1.0 / static_cast<double>(fh * fw);
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < n; b++) {
    std::unique_ptr<double[]> acc(new double[h * w * c]());
    const float *xb = x + b * h * w * c;
    for (int64_t r = 0; r < oh; r++) {
      const int64_t r0 = r * sh - top, i0 = r0 < 0 ? 0 : r0, i1 = r0 + fh < h ? r0 + fh : h;
      for (int64_t col = 0; col < ow; col++) {
        const int64_t c0 = col * sw - left, j0 = c0 < 0 ? 0 : c0, j1 = c0 + fw < w ? c0 + fw : w;
        const float *g = dy + ((b * oh + r) * ow + col) * c;
        if (kind == 0) {
          for (int64_t i = i0; i < i1; i++) {
            for (int64_t j = j0; j < j1; j++) {
              double *a = acc.get() + (i * w + j) * c;
              for (int64_t k = 0; k < c; k++) a[k] += g[k];
            }
          }
        } else {
          for (int64_t k = 0; k < c; k++) {
            float best = -std::numeric_limits<float>::infinity();
            int64_t at = -1;
            for (int64_t i = i0; i < i1; i++) {
              for (int64_t j = j0; j < j1; j++) {
                const int64_t p = (i * w + j) * c + k;
                if (xb[p] > best) {
                  best = xb[p];
                  at = p;
                }
              }
            }
            if (at >= 0) acc[at] += g[k];
          }
        }
      }
    }
    float *out = dx + b * h * w * c;
    for (int64_t i = 0; i < h * w * c; i++) out[i] = static_cast<float>(kind == 0 ? acc[i] * multiplier : acc[i]);
  }
  return nullptr;
}

// reduceSum(x, y, outer, reduced, inner, mean): y[o, i] = sum_r x[o, r, i] (divided by `reduced` when mean), a
// float64 sum per output rounded once (Sum and Mean over a contiguous run of axes).
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x = nullptr, *y = nullptr;
  size_t xLen = 0, yLen = 0;
  int64_t outer = 0, reduced = 0, inner = 0;
  bool mean = false;
  if (!float32Data(env, argv[0], &x, &xLen) || !float32Data(env, argv[1], &y, &yLen)) {
    return throwError(env, "reduceSum(x, y, outer, reduced, inner, mean): Float32Arrays expected");
  }
  napi_get_value_int64(env, argv[2], &outer);
  napi_get_value_int64(env, argv[3], &reduced);
  napi_get_value_int64(env, argv[4], &inner);
  napi_get_value_bool(env, argv[5], &mean);
  if (static_cast<int64_t>(xLen) != outer * reduced * inner || static_cast<int64_t>(yLen) != outer * inner) {
    return throwError(env, "reduceSum: a tensor's length does not match the shape");
  }
  const double scale = mean ? 1.0 / static_cast<double>(reduced) : 1.0;
  std::unique_ptr<double[]> acc(new double[inner]);
  for (int64_t o = 0; o < outer; o++) {
    std::fill(acc.get(), acc.get() + inner, 0.0);
    const float *row = x + o * reduced * inner;
    for (int64_t r = 0; r < reduced; r++, row += inner) {
      for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
    }
    for (int64_t i = 0; i < inner; i++) y[o * inner + i] = static_cast<float>(mean ? acc[i] * scale : acc[i]);
  }
  return nullptr;
}

// batchNorm(x, mean, variance, offset | null, scale | null, y, epsilon): TF.js's FusedBatchNorm, y[i] = offset +
// (x[i] - mean) * scale / sqrt(variance + epsilon) in double as the cpu backend computes it, x read as [rows, C]
// and each vector of length 1 or C.
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *x = nullptr, *mean = nullptr, *variance = nullptr, *offset = nullptr, *scale = nullptr, *y = nullptr;
  size_t xLen = 0, mLen = 0, vLen = 0, oLen = 1, sLen = 1, yLen = 0;
  if (argc < 7 || !float32Data(env, argv[0], &x, &xLen) || !float32Data(env, argv[1], &mean, &mLen) ||
      !float32Data(env, argv[2], &variance, &vLen) || !float32Data(env, argv[5], &y, &yLen)) {
    return throwError(env, "batchNorm(x, mean, variance, offset, scale, y, epsilon): Float32Arrays expected");
  }
  napi_valuetype type;
  napi_typeof(env, argv[3], &type);
  if (type != napi_null && !float32Data(env, argv[3], &offset, &oLen)) return throwError(env, "batchNorm: offset must be a Float32Array or null");
  napi_typeof(env, argv[4], &type);
  if (type != napi_null && !float32Data(env, argv[4], &scale, &sLen)) return throwError(env, "batchNorm: scale must be a Float32Array or null");
  double epsilon = 0;
  napi_get_value_double(env, argv[6], &epsilon);
  if (yLen != xLen || mLen == 0 || vLen == 0 || oLen == 0 || sLen == 0) return throwError(env, "batchNorm: lengths do not match");
  // Per-channel values computed once (the same doubles every element would compute), then a tight loop over rows.
  // The caller (src/engine/wasm/batch-norm.ts) passes vectors of length 1 or the channels only.
  const size_t width = std::max({mLen, vLen, oLen, sLen});
  const bool perChannel = xLen % width == 0 && (mLen == 1 || mLen == width) && (vLen == 1 || vLen == width) &&
      (oLen == 1 || oLen == width) && (sLen == 1 || sLen == width);
  if (!perChannel) return throwError(env, "batchNorm: each vector must have length 1 or the channels of x");
  std::vector<double> m(width), sc(width), o(width), root(width);
  for (size_t k = 0; k < width; k++) {
    m[k] = mean[k % mLen];
    sc[k] = scale ? scale[k % sLen] : 1.0;
    o[k] = offset ? offset[k % oLen] : 0.0;
    root[k] = std::sqrt(static_cast<double>(variance[k % vLen]) + epsilon);
  }
  for (size_t row = 0; row < xLen; row += width) {
    const float *in = x + row;
    float *out = y + row;
    for (size_t k = 0; k < width; k++) out[k] = static_cast<float>(o[k] + (static_cast<double>(in[k]) - m[k]) * sc[k] / root[k]);
  }
  return nullptr;
}

// concat(inputs, inners, y, outer): y [outer, sum(inners)] from inputs [outer, inners[k]], in order (Concat on
// any axis, each tensor read as [outer, inner]); split(x, inners, outputs, outer): the inverse (SplitV). One body:
// `join` says which way the rows are copied between the joined tensor and its parts.
static napi_value CopyParts(napi_env env, napi_callback_info info, bool join) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const napi_value joinedArg = argv[join ? 2 : 0], partsArg = argv[join ? 0 : 2];
  uint32_t count = 0;
  napi_get_array_length(env, partsArg, &count);
  std::vector<float *> parts(count);
  std::vector<int64_t> inners(count);
  float *joined = nullptr;
  size_t joinedLen = 0;
  int64_t outer = 0, width = 0;
  if (!float32Data(env, joinedArg, &joined, &joinedLen)) {
    return throwError(env, join ? "concat: y must be a Float32Array" : "split: x must be a Float32Array");
  }
  napi_get_value_int64(env, argv[3], &outer);
  for (uint32_t k = 0; k < count; k++) {
    napi_value item;
    napi_get_element(env, partsArg, k, &item);
    size_t len = 0;
    if (!float32Data(env, item, &parts[k], &len) || !int64At(env, argv[1], k, &inners[k]) ||
        static_cast<int64_t>(len) != outer * inners[k]) {
      return throwError(env, join ? "concat: every input must be a Float32Array of outer * inner values"
                                  : "split: every output must be a Float32Array of outer * inner values");
    }
    width += inners[k];
  }
  if (static_cast<int64_t>(joinedLen) != outer * width) {
    return throwError(env, join ? "concat: y's length does not match" : "split: x's length does not match");
  }
  for (int64_t o = 0; o < outer; o++) {
    float *row = joined + o * width;
    for (uint32_t k = 0; k < count; k++) {
      float *part = parts[k] + o * inners[k];
      const size_t bytes = static_cast<size_t>(inners[k]) * sizeof(float);
      if (join) std::memcpy(row, part, bytes);
      else std::memcpy(part, row, bytes);
      row += inners[k];
    }
  }
  return nullptr;
}

napi_value Concat(napi_env env, napi_callback_info info) { return CopyParts(env, info, true); }

napi_value Split(napi_env env, napi_callback_info info) { return CopyParts(env, info, false); }

// Float32Array arguments at argv[first..first+count) with their lengths; false when one is not a Float32Array.
static bool float32Args(napi_env env, napi_value *argv, size_t first, size_t count, float **data, size_t *lengths) {
  for (size_t i = 0; i < count; i++) {
    if (!float32Data(env, argv[first + i], &data[i], &lengths[i])) return false;
  }
  return true;
}

// batchNormTraining(x, gamma, beta, y, mean, variance, epsilon): training-mode batch norm of x [rows, C] with the
// batch's statistics: mean and (biased) variance per channel, summed in double on one thread (so they do not depend
// on the thread count); y = (x - mean) / sqrt(variance + epsilon) * gamma + beta, rows split over the threads.
napi_value BatchNormTraining(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *a[6];
  size_t len[6];
  double epsilon = 0;
  if (argc < 7 || !float32Args(env, argv, 0, 6, a, len) || napi_get_value_double(env, argv[6], &epsilon) != napi_ok) {
    return throwError(env, "batchNormTraining(x, gamma, beta, y, mean, variance, epsilon): Float32Arrays and a number expected");
  }
  const float *x = a[0], *gamma = a[1], *beta = a[2];
  float *y = a[3], *mean = a[4], *variance = a[5];
  const size_t c = len[1];
  if (c == 0 || len[2] != c || len[4] != c || len[5] != c || len[0] % c != 0 || len[3] != len[0]) {
    return throwError(env, "batchNormTraining: x and y must be [rows, C] and the vectors [C]");
  }
  const size_t rows = len[0] / c;
  // The float32 steps of the op composed from TF.js kernels (batch-norm-params.ts): centred = x - mean, variance =
  // mean(centred^2), invStd = rsqrt(variance + epsilon), y = centred * (invStd * gamma) + beta; only the sums are
  // in double, as the cpu backend's are.
  std::vector<double> sum(c, 0.0), squares(c, 0.0);
  for (size_t r = 0; r < rows; r++) {
    const float *in = x + r * c;
    for (size_t k = 0; k < c; k++) sum[k] += in[k];
  }
  for (size_t k = 0; k < c; k++) mean[k] = static_cast<float>(sum[k] / static_cast<double>(rows));
  for (size_t r = 0; r < rows; r++) {
    const float *in = x + r * c;
    for (size_t k = 0; k < c; k++) {
      const float d = in[k] - mean[k];
      squares[k] += static_cast<double>(d * d);
    }
  }
  std::vector<float> gain(c);
  for (size_t k = 0; k < c; k++) {
    variance[k] = static_cast<float>(squares[k] / static_cast<double>(rows));
    const float shifted = variance[k] + static_cast<float>(epsilon);
    const float invStd = static_cast<float>(1.0 / std::sqrt(static_cast<double>(shifted)));
    gain[k] = invStd * gamma[k];
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < static_cast<int64_t>(rows); r++) {
    const float *in = x + r * c;
    float *out = y + r * c;
    for (size_t k = 0; k < c; k++) out[k] = (in[k] - mean[k]) * gain[k] + beta[k];
  }
  return nullptr;
}

// batchNormTrainingGrad(dy, x, mean, invStd, gamma, dx, dgamma, dbeta): the gradient of batchNormTraining over
// rows = N values per channel, xhat = (x - mean) invStd: dbeta = sum dy, dgamma = sum dy xhat (double, one thread),
// dx = gamma invStd (dy - dbeta / N - xhat dgamma / N) (rows split over the threads).
napi_value BatchNormTrainingGrad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  float *a[8];
  size_t len[8];
  if (argc < 8 || !float32Args(env, argv, 0, 8, a, len)) {
    return throwError(env, "batchNormTrainingGrad(dy, x, mean, invStd, gamma, dx, dgamma, dbeta): Float32Arrays expected");
  }
  const float *dy = a[0], *x = a[1], *mean = a[2], *invStd = a[3], *gamma = a[4];
  float *dx = a[5], *dgamma = a[6], *dbeta = a[7];
  const size_t c = len[2];
  if (c == 0 || len[3] != c || len[4] != c || len[6] != c || len[7] != c || len[0] % c != 0 || len[1] != len[0] || len[5] != len[0]) {
    return throwError(env, "batchNormTrainingGrad: dy, x and dx must be [rows, C] and the vectors [C]");
  }
  const size_t rows = len[0] / c;
  // The float32 steps of the composed gradient: xhat = (x - mean) invStd, dbeta = sum dy, dgamma = sum dy xhat,
  // dx = ((dy - dbeta / N) - xhat (dgamma / N)) (gamma invStd); the sums in double.
  std::vector<double> sumDy(c, 0.0), sumDyXhat(c, 0.0);
  for (size_t r = 0; r < rows; r++) {
    const float *g = dy + r * c;
    const float *in = x + r * c;
    for (size_t k = 0; k < c; k++) {
      const float xhat = (in[k] - mean[k]) * invStd[k];
      sumDy[k] += g[k];
      sumDyXhat[k] += static_cast<double>(g[k] * xhat);
    }
  }
  const float n = static_cast<float>(rows);
  std::vector<float> meanDy(c), meanDyXhat(c), gain(c);
  for (size_t k = 0; k < c; k++) {
    dbeta[k] = static_cast<float>(sumDy[k]);
    dgamma[k] = static_cast<float>(sumDyXhat[k]);
    meanDy[k] = dbeta[k] / n;
    meanDyXhat[k] = dgamma[k] / n;
    gain[k] = gamma[k] * invStd[k];
  }
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < static_cast<int64_t>(rows); r++) {
    const float *g = dy + r * c;
    const float *in = x + r * c;
    float *out = dx + r * c;
    for (size_t k = 0; k < c; k++) {
      const float xhat = (in[k] - mean[k]) * invStd[k];
      out[k] = ((g[k] - meanDy[k]) - xhat * meanDyXhat[k]) * gain[k];
    }
  }
  return nullptr;
}


napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  int32_t threads = 0;
  napi_get_value_int32(env, argv[0], &threads);
  if (threads < 1) return throwError(env, "setThreads: a positive number of threads");
  omp_set_num_threads(threads);
  return nullptr;
}

napi_value Describe(napi_env env, napi_callback_info) {
  const dnnl_version_t *version = dnnl_version();
  std::ostringstream s;
  s << version->major << '.' << version->minor << '.' << version->patch;
  const std::string text = s.str();
  napi_value out, versionValue, threads, cached;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, text.c_str(), text.size(), &versionValue);
  napi_create_int32(env, omp_get_max_threads(), &threads);
  napi_create_uint32(env, static_cast<uint32_t>(cache().size()), &cached);
  napi_set_named_property(env, out, "version", versionValue);
  napi_set_named_property(env, out, "threads", threads);
  napi_set_named_property(env, out, "cachedPrimitives", cached);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"implementation", nullptr, Implementation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"poolGrad", nullptr, PoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reduceSum", nullptr, ReduceSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"concat", nullptr, Concat, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"split", nullptr, Split, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTraining", nullptr, BatchNormTraining, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainingGrad", nullptr, BatchNormTrainingGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"describe", nullptr, Describe, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
