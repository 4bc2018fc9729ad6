"""PyTorch twin of src/engine/reference-net.ts, to put `mslk bench engine` next to PyTorch on the same machine.

Same layers, widths and loss (3x3 conv 3->16, max-pool, 3x3 conv 16->32, 21x21 depthwise, 1x1 conv,
bilinear up-sampling with half-pixel centres, concat, 3x3 conv 48->16, 1x1 head; BCE with logits; Adam).
Run with Debian's PyTorch: /usr/bin/python3 bench/torch_reference_net.py --size 128 --batch 4 --threads 1
Prints one JSON line: median ms per training step and images per second.
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class ReferenceNet(nn.Module):
    def __init__(self, c=16):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.down = nn.Conv2d(c, 2 * c, 3, padding=1, bias=False)
        self.large = nn.Conv2d(2 * c, 2 * c, 21, padding=10, groups=2 * c, bias=False)
        self.point = nn.Conv2d(2 * c, 2 * c, 1, bias=False)
        self.fuse = nn.Conv2d(3 * c, c, 3, padding=1, bias=False)
        self.head = nn.Conv2d(c, 1, 1, bias=False)

    def forward(self, x):
        s1 = F.relu(self.stem(x))
        d = F.relu(self.down(F.max_pool2d(s1, 2)))
        m = F.relu(self.point(F.relu(self.large(d))))
        u = F.interpolate(m, size=x.shape[2:], mode='bilinear', align_corners=False)
        return self.head(F.relu(self.fuse(torch.cat([u, s1], 1))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--steps', type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = ReferenceNet()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    x = torch.rand(a.batch, 3, a.size, a.size)
    yy, xx = torch.meshgrid(torch.arange(a.size), torch.arange(a.size), indexing='ij')
    y = (((yy - a.size / 2) ** 2 + (xx - a.size / 2) ** 2) < (a.size / 4) ** 2).float().expand(a.batch, 1, -1, -1)
    times = []
    for i in range(a.steps + 2):
        t0 = time.perf_counter()
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(net(x), y).backward()
        opt.step()
        if i >= 2:
            times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    print(json.dumps({'framework': f'torch {torch.__version__}', 'threads': a.threads, 'size': a.size,
                      'batch': a.batch, 'msPerStep': ms, 'imagesPerSecond': 1000 * a.batch / ms}))


if __name__ == '__main__':
    main()
