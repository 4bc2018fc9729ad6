"""The twin's half of bench/emcad-twin-parity.ts: loads the weights it wrote (twin names and layouts), runs
emcad.py's EMCAD in inference mode on its input (NHWC, made NCHW here) and writes the four heads, shallowest
first, NHWC float32.   python3 emcad_twin_parity.py TWIN_DIR WORK_DIR ARGS_JSON SIZE"""
import json
import sys

import numpy as np
import torch

twin_dir, work, args, size = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, twin_dir)
import emcad  # noqa: E402

model = emcad.EMCAD(args["variant"], kernels=tuple(args["kernels"]), expansion=args["expansion"], lgag_kernel=args["lgag_kernel"]).eval()
index = json.load(open(f"{work}/weights.json"))
data = np.fromfile(f"{work}/weights.bin", dtype=np.float32)
state = model.state_dict()
missing = [k for k in state if k not in index and not k.endswith("num_batches_tracked")]
extra = [k for k in index if k not in state]
if missing or extra:
    sys.exit(f"weight names differ: missing {missing[:5]}, unexpected {extra[:5]}")
for key, entry in index.items():
    n = int(np.prod(entry["shape"]))
    state[key] = torch.from_numpy(data[entry["offset"]:entry["offset"] + n].reshape(entry["shape"]).copy())
model.load_state_dict(state)
x = np.fromfile(f"{work}/x.bin", dtype=np.float32).reshape(2, size, size, 3)
with torch.no_grad():
    heads = model(torch.from_numpy(x).permute(0, 3, 1, 2).contiguous())
np.concatenate([h.permute(0, 2, 3, 1).numpy().ravel() for h in heads[::-1]]).astype(np.float32).tofile(f"{work}/twin.bin")
