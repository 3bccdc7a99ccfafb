#!/usr/bin/python3
"""PyTorch reference for the spiking-MLP training speed (peer of bench/snn_step and
examples/train_snn; scripts/compare_speed runs both).

The same work as one epoch of `train_snn --epochs 1`: 784-64-10 fully connected,
batch 128, Poisson rate coding with gain 0.5 (a fresh Bernoulli draw per step and
pixel), logits = mean over T of the readout, cross-entropy, Adam(lr 1e-3). The data
set is in memory before the clock starts (Fashion-MNIST from
/usr/share/datasets/fashion-mnist if readable, else random data of the same shape).

Neurons, written as straightforward PyTorch modules with autograd, as the UltraLIF
paper's reference code does (equations as docs/DESIGN):
  ultra-lif         V <- LSE_eps(V + log tau, I);  s = sigmoid((V - theta)/eps);  V <- V (1 - s)
  ultra-plif        as ultra-lif with learnable log tau (init log 0.9)
  ultra-dlif        V <- tau V + I;  M_i = LSE_eps(V_{i-1}, V_i, V_{i+1}) (periodic);
                    s = sigmoid((M - theta)/eps);  V <- V (1 - s)
  lif-fast-sigmoid  V <- beta V + I;  s = H(V - 1) with the SuperSpike surrogate
                    1 / (25 |x| + 1)^2 (a torch.autograd.Function);  V <- V - s (reset detached)
eps = clamp(exp(log_eps), 0.1, 20), log_eps learnable (init 0), tau = 0.9, theta = 0.

Timing: wall clock of the whole epoch (batch gathering and encoding included), the
fastest of --repeat runs. Output, one line per neuron and T:
  pytorch <neuron> T=<T> samples_per_s=<x> seconds=<s> samples=<n> threads=<N>

  /usr/bin/python3 bench/pytorch_reference.py --threads 2 --timesteps 1,10
"""

import argparse
import gzip
import math
import os
import struct
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"pytorch_reference: torch is not importable ({error}); install the Debian packages "
          "python3-torch and libopenblas0-pthread, and run with /usr/bin/python3. Skipping.")
    sys.exit(0)

NEURONS = ["ultra-lif", "ultra-plif", "ultra-dlif", "lif-fast-sigmoid"]


class UltraLIF(nn.Module):
    def __init__(self, learn_tau=False, tau=0.9, theta=0.0, eps_min=0.1, eps_max=20.0):
        super().__init__()
        self.log_eps = nn.Parameter(torch.zeros(1))
        log_tau = torch.full((1,), math.log(tau))
        if learn_tau:
            self.log_tau = nn.Parameter(log_tau)
        else:
            self.register_buffer("log_tau", log_tau)
        self.theta, self.eps_min, self.eps_max = theta, eps_min, eps_max

    def forward(self, current, v):
        eps = self.log_eps.exp().clamp(self.eps_min, self.eps_max)
        v = eps * torch.logaddexp((v + self.log_tau) / eps, current / eps)
        s = torch.sigmoid((v - self.theta) / eps)
        return s, v * (1 - s)


class UltraDLIF(nn.Module):
    def __init__(self, tau=0.9, theta=0.0, eps_min=0.1, eps_max=20.0):
        super().__init__()
        self.log_eps = nn.Parameter(torch.zeros(1))
        self.tau, self.theta, self.eps_min, self.eps_max = tau, theta, eps_min, eps_max

    def forward(self, current, v):
        eps = self.log_eps.exp().clamp(self.eps_min, self.eps_max)
        v = self.tau * v + current
        neighbours = torch.stack([torch.roll(v, 1, dims=-1), v, torch.roll(v, -1, dims=-1)])
        m = eps * torch.logsumexp(neighbours / eps, dim=0)
        s = torch.sigmoid((m - self.theta) / eps)
        return s, v * (1 - s)


class FastSigmoidSpike(torch.autograd.Function):
    slope = 25.0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (FastSigmoidSpike.slope * x.abs() + 1.0) ** 2


class LIF(nn.Module):
    def __init__(self, beta=0.9, threshold=1.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, current, v):
        v = self.beta * v + current
        s = FastSigmoidSpike.apply(v - self.threshold)
        return s, v - s.detach() * self.threshold


def make_neuron(name):
    return {"ultra-lif": lambda: UltraLIF(False), "ultra-plif": lambda: UltraLIF(True),
            "ultra-dlif": lambda: UltraDLIF(), "lif-fast-sigmoid": lambda: LIF()}[name]()


class SpikingMLP(nn.Module):
    def __init__(self, neuron, inputs=784, hidden=64, classes=10):
        super().__init__()
        self.fc1 = nn.Linear(inputs, hidden)
        self.neuron = make_neuron(neuron)
        self.fc2 = nn.Linear(hidden, classes)
        self.hidden = hidden

    def forward(self, spikes):  # spikes: T x batch x inputs
        v = torch.zeros(spikes.shape[1], self.hidden)
        total = 0
        for x_t in spikes:
            s, v = self.neuron(self.fc1(x_t), v)
            total = total + self.fc2(s)
        return total / spikes.shape[0]


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load_data(directory, limit):
    try:
        images = read_idx(os.path.join(directory, "train-images-idx3-ubyte.gz"))
        labels = read_idx(os.path.join(directory, "train-labels-idx1-ubyte.gz"))
        x = images.reshape(images.shape[0], -1).float() / 255.0
        y = labels.long()
        source = "fashion-mnist"
    except (OSError, ValueError, struct.error):
        generator = torch.Generator().manual_seed(0)
        x = torch.rand(60000, 784, generator=generator)
        y = torch.randint(0, 10, (60000,), generator=generator)
        source = "synthetic"
    if limit:
        x, y = x[:limit], y[:limit]
    return x.contiguous(), y, source


def train_epoch(model, optimizer, x, y, timesteps, batch, gain):
    order = torch.randperm(x.shape[0])
    for lo in range(0, x.shape[0], batch):
        index = order[lo:lo + batch]
        probability = (x[index] * gain).clamp(0, 1)
        spikes = (torch.rand(timesteps, *probability.shape) < probability).float()
        loss = F.cross_entropy(model(spikes), y[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    parser.add_argument("--timesteps", default="1,10", help="comma-separated T values (default 1,10)")
    parser.add_argument("--neuron", default=",".join(NEURONS), help="comma-separated, of: " + ", ".join(NEURONS))
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--gain", type=float, default=0.5)
    parser.add_argument("--limit", type=int, default=0, help="train on the first N samples (0 = all 60,000)")
    parser.add_argument("--data", default=os.environ.get("TROPIGRAD_DATA", "/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=1,
                        help="train K epochs, each from a fresh model; report the fastest (the machine may be shared)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    x, y, source = load_data(args.data, args.limit)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} thread(s), data {source} "
          f"{x.shape[0]}x{x.shape[1]}, batch {args.batch}, gain {args.gain}", flush=True)
    for timesteps in [int(t) for t in args.timesteps.split(",")]:
        for neuron in args.neuron.split(","):
            seconds = math.inf
            for _ in range(max(1, args.repeat)):
                torch.manual_seed(args.seed)
                model = SpikingMLP(neuron)
                optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
                start = time.perf_counter()
                loss = train_epoch(model, optimizer, x, y, timesteps, args.batch, args.gain)
                seconds = min(seconds, time.perf_counter() - start)
            print(f"pytorch {neuron} T={timesteps} samples_per_s={x.shape[0] / seconds:.0f} seconds={seconds:.3f} "
                  f"samples={x.shape[0]} threads={args.threads} last_loss={loss:.4f}", flush=True)


if __name__ == "__main__":
    main()
