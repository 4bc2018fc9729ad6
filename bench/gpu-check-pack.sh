#!/usr/bin/env bash
# Builds the carry folder bench/gpu-check.sh runs from on a machine with an NVIDIA GPU and no network, where the
# repository copy has the project's tracked files but no node_modules, no build and perhaps no Node. Run it here
# (Debian, Node 20, node_modules installed, strace, SwiftShader for the trace), then carry the folder along:
#   bench/gpu-check-pack.sh [--no-node] [--working-tree] [--out DIR]   # DIR: .gpu-carry (ignored via .git/info/exclude)
# It compiles the committed sources (HEAD), so that edits in progress in the working tree never reach the build;
# --working-tree compiles the working tree's instead. On the device, `mslk doctor` says whether the build matches the
# src/ of the copy it runs beside.
#
# DIR/runtime.tar.xz holds:
#   app/       the CLI compiled from HEAD's src/ (tsc, no source maps; dist/build-stamp.json is the digest of those
#              sources, so `mslk doctor` there says whether the copy's src/ is the one built), bin/, package.json,
#              oclif.manifest.json (oclif then imports only the command it runs), bench/gpu-check-table.js
#   app/node_modules  what the CLI loads at run time, found by tracing (strace) `mslk doctor`, `mslk doctor --backend
#              webgpu`, a tiny `mslk models profile --backend webgpu` on SwiftShader, `--help` and a failing command:
#              a package it touches travels whole (less .ts/.d.ts/.map/.md files and test folders), except the big
#              ones (@tensorflow/*, webgpu), of which only the files opened travel (one node bundle each, dawn.node
#              for linux-x64 alone, the wasm binaries). Not travelling: typescript, tsx/esbuild, ava, playwright,
#              vega, sharp, the other platforms' dawn.node, ...
#   lib/       the Vulkan loader and what NVIDIA's Vulkan driver links against, from Debian's packages (libvulkan1,
#              libglvnd0, libglx0, libegl1, libgl1, libopengl0, libgles2 and the X client libraries): gpu-check.sh
#              links only those the machine lacks into its library path
#   node/      this machine's Node binary (unless --no-node: then the machine must have Node >= 20.11)
#   twin/      the PyTorch twin's .py files (../shared/bench/torch-twin, which does not travel)
# and prints the folder's size against the 64 MiB a device call carries with the working tree.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUTDIR=$ROOT/.gpu-carry
WITH_NODE=1
FROM=HEAD
while [ $# -gt 0 ]; do
  case $1 in
    --no-node) WITH_NODE=0 ;;
    --working-tree) FROM=tree ;;
    --out) OUTDIR=$(realpath -m "$2"); shift ;;
    *) echo "usage: $0 [--no-node] [--working-tree] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
TWIN=${MSLK_TORCH_TWIN:-$ROOT/../shared/bench/torch-twin}
SWIFTSHADER=/usr/lib/chromium/vk_swiftshader_icd.json
[ "$(uname -m)" = x86_64 ] || { echo "the device machine is x86-64: pack on x86-64 (this is $(uname -m))" >&2; exit 1; }
[ -d "$ROOT/node_modules/@tensorflow/tfjs-backend-webgpu" ] || { echo "run npm ci first" >&2; exit 1; }
command -v strace >/dev/null || { echo "strace is needed to find what the CLI loads: apt-get install strace" >&2; exit 1; }
[ -f "$SWIFTSHADER" ] || { echo "SwiftShader ($SWIFTSHADER) is needed to trace the webgpu path: apt-get install chromium libvulkan1" >&2; exit 1; }
[ -f "$TWIN/bench.py" ] || { echo "the PyTorch twin is not at $TWIN (MSLK_TORCH_TWIN names it)" >&2; exit 1; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
APP=$STAGE/pack/app
mkdir -p "$APP" "$STAGE/pack/lib" "$STAGE/pack/twin" "$STAGE/traces"
cd "$ROOT"

SRC=$STAGE/source
mkdir -p "$SRC"
echo "== compiling src/ and bench/gpu-check-table.ts ($([ "$FROM" = HEAD ] && echo "HEAD, $(git rev-parse --short HEAD)" || echo 'the working tree'))"
if [ "$FROM" = HEAD ]; then
  git archive HEAD src bin bench/gpu-check-table.ts package.json tsconfig.json | tar -C "$SRC" -xf -
else
  cp -r src bin package.json tsconfig.json "$SRC/" && mkdir -p "$SRC/bench" && cp bench/gpu-check-table.ts "$SRC/bench/"
fi
ln -s "$ROOT/node_modules" "$SRC/node_modules"
(cd "$SRC" && "$ROOT/node_modules/.bin/tsc" -p tsconfig.json --outDir "$APP/dist" --sourceMap false)
(cd "$SRC" && "$ROOT/node_modules/.bin/tsc" bench/gpu-check-table.ts --outDir "$APP/bench" --module NodeNext --moduleResolution NodeNext --target ES2022 \
  --strict --skipLibCheck --types node)
cp -r "$SRC/bin" "$SRC/package.json" "$APP/"
# configs/ and data/ come from the repository copy at check time (tracked files); the build stamp is the digest of
# the sources compiled, as `npm run build` writes it.
ln -s "$ROOT/node_modules" "$APP/node_modules"
node --input-type=module -e "
  const {writeFileSync} = await import('node:fs');
  const {sourceDigest} = await import('$APP/dist/io/build-stamp.js');
  writeFileSync('$APP/dist/build-stamp.json', JSON.stringify({sourceDigest: await sourceDigest('$SRC')}) + '\n');
  const {Plugin} = await import('$ROOT/node_modules/@oclif/core/lib/index.js');
  const plugin = new Plugin({errorOnManifestCreate: true, ignoreManifest: true, isRoot: true, root: '$APP', type: 'core'});
  await plugin.load();
  writeFileSync('$APP/oclif.manifest.json', JSON.stringify(plugin.manifest));
"
cp -r configs data "$APP/"   # for the trace only; removed below

echo "== tracing what the CLI opens (SwiftShader; about a minute)"
trace() {
  local name=$1; shift
  (cd "$APP" && env -u VK_DRIVER_FILES -u MSLK_BACKEND VK_ICD_FILENAMES=$SWIFTSHADER timeout 600 \
    strace -f -qq -e trace=openat,open -e signal=none -o "$STAGE/traces/$name" node bin/run.js "$@" >"$STAGE/traces/$name.out" 2>&1) || true
}
trace doctor doctor
trace doctor-webgpu doctor --backend webgpu
trace profile models profile unet --backend webgpu --size 16 --batch 1 --set baseWidth=4 --latency-runs 2 --train-steps 2 --json
trace counts models profile ms-lkseg --counts-only --set baseWidth=4 --json
trace help models profile --help
trace failing models profile no-such-model --backend webgpu
grep -q '"peakGpuBytes"' "$STAGE/traces/profile.out" || { echo "the traced profile on webgpu failed:" >&2; tail -20 "$STAGE/traces/profile.out" >&2; exit 1; }
rm -rf "$APP/configs" "$APP/data" "$APP/node_modules"

echo "== copying node_modules"
NM=$(realpath "$ROOT/node_modules")
cat "$STAGE"/traces/* | grep -v ENOENT | grep -o "\"$NM/[^\"]*\"" | tr -d '"' | sed "s|^$NM/||" | sort -u >"$STAGE/opened.txt"
node --input-type=module - "$NM" "$APP/node_modules" "$STAGE/opened.txt" <<'EOF'
import {cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, copyFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
const [nm, dest, list] = process.argv.slice(2);
const opened = readFileSync(list, 'utf8').split('\n').filter(Boolean).filter((f) => existsSync(join(nm, f)) && statSync(join(nm, f)).isFile());
// Always: the webgpu path (traced too, but it must travel even if the trace missed it) and the wasm binaries.
const always = ['webgpu/index.js', 'webgpu/package.json', 'webgpu/dist/linux-x64/dawn.node',
  '@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js',
  ...readdirSync(join(nm, '@tensorflow/tfjs-backend-wasm/dist')).filter((f) => f.endsWith('.wasm')).map((f) => `@tensorflow/tfjs-backend-wasm/dist/${f}`)];
/** The package folder of a path under node_modules (nested node_modules included). */
const packageOf = (file) => {
  const parts = file.split('/');
  let i = 0;
  let pkg = '';
  while (i < parts.length - 1) {
    const n = parts[i].startsWith('@') ? 2 : 1;
    pkg = [pkg, ...parts.slice(i, i + n)].filter(Boolean).join('/');
    i += n;
    if (parts[i] === 'node_modules' && i < parts.length - 1) { pkg += '/node_modules'; i++; } else break;
  }
  return pkg;
};
const big = (pkg) => /^@tensorflow\//.test(pkg) || pkg === 'webgpu';
// Never loaded by plain node: TypeScript sources and declarations, source maps, documents, a package's own tests,
// docs and examples (top-level folders only: yaml's dist/doc/ is code).
const junk = /(\.d\.[cm]?ts|\.[cm]?ts|\.map|\.md|\.markdown)$|^(tests?|__tests__|docs?|examples?|\.github)(\/|$)/i;
const packages = new Set([...opened, ...always].map(packageOf));
let files = 0;
for (const pkg of packages) {
  if (big(pkg)) continue;
  cpSync(join(nm, pkg), join(dest, pkg), {recursive: true, dereference: true, filter: (src) => {
    const rel = src.slice(join(nm, pkg).length + 1);
    const keep = rel === '' || !junk.test(rel) || /^license/i.test(rel.split('/').pop());
    if (keep && statSync(src).isFile()) files++;
    return keep;
  }});
}
for (const f of new Set([...opened, ...always, ...[...packages].filter(big).map((p) => `${p}/package.json`)])) {
  mkdirSync(dirname(join(dest, f)), {recursive: true});
  copyFileSync(join(nm, f), join(dest, f));
  files++;
}
console.log(`${packages.size} packages, ${files} files`);
EOF

echo "== Vulkan loader and GL dispatch libraries (Debian packages)"
DEBS=(libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 libgles2 libx11-6 libx11-xcb1 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0)
(cd "$STAGE" && mkdir -p debs && cd debs && apt-get download "${DEBS[@]}" >/dev/null 2>&1) || echo "apt-get download failed: the libraries come from this machine's files instead"
for pkg in "${DEBS[@]}"; do
  deb=$(ls "$STAGE"/debs/"${pkg}"_*.deb 2>/dev/null | head -1 || true)
  if [ -n "$deb" ]; then
    dpkg-deb -x "$deb" "$STAGE/root"
  elif dpkg -L "$pkg:amd64" >/dev/null 2>&1; then
    dpkg -L "$pkg:amd64" | grep -E '\.so[.0-9]*$' | while read -r f; do mkdir -p "$STAGE/root$(dirname "$f")"; cp -a "$f" "$STAGE/root$f"; done
  else
    echo "  $pkg: neither downloadable nor installed here, left out"
  fi
done
find "$STAGE/root" \( -type f -o -type l \) -name '*.so.*' -exec cp -a {} "$STAGE/pack/lib/" \;
ls "$STAGE/pack/lib" | tr '\n' ' '; echo

cp "$TWIN"/*.py "$STAGE/pack/twin/"
rm -f "$STAGE"/pack/twin/test_*.py
if [ "$WITH_NODE" = 1 ]; then
  mkdir -p "$STAGE/pack/node/bin"
  cp "$(readlink -f "$(command -v node)")" "$STAGE/pack/node/bin/node"
fi
{
  echo "packed $(date -u +%FT%TZ): the CLI built from $([ "$FROM" = HEAD ] && echo "commit $(git -C "$ROOT" rev-parse HEAD)" || echo "the working tree at $(git -C "$ROOT" rev-parse HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')")"
  echo "node $(node --version)$([ "$WITH_NODE" = 1 ] || echo ' (not carried)'); twin from $TWIN"
} >"$STAGE/pack/PACKED.txt"

echo "== compressing (xz; a few minutes on 2 cores)"
mkdir -p "$OUTDIR"
rm -f "$OUTDIR"/runtime.tar.xz "$OUTDIR"/PACKED.txt
cp "$STAGE/pack/PACKED.txt" "$OUTDIR/"
tar -C "$STAGE/pack" -cf - . | xz -6 -T0 >"$OUTDIR/runtime.tar.xz"

echo "== sizes"
du -sh "$STAGE/pack"/* | sed "s|$STAGE/pack/||"
carry=$(du -sb "$OUTDIR" | cut -f1)
tree=$(cd "$ROOT" && git ls-files -z -co --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
shared=0; [ -d "$ROOT/shared" ] && shared=$(du -sb "$ROOT/shared" | cut -f1)
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "carry folder $OUTDIR: $(mib "$carry"); working tree that travels with it: $(mib $((tree + shared))); together $(mib $((carry + tree + shared))) of 64 MiB"
[ $((carry + tree + shared)) -le $((64 * 1048576)) ] || { echo "over 64 MiB: pack with --no-node, or trim the tree" >&2; exit 1; }
grep -qx '/.gpu-carry/' "$(git -C "$ROOT" rev-parse --git-path info/exclude)" 2>/dev/null \
  || echo "note: add '/.gpu-carry/' to $(git -C "$ROOT" rev-parse --git-path info/exclude) so that git ignores the folder"
