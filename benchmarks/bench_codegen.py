"""Generated code vs hand-written PyTorch, and ONNX export times.

1. Training-step time (forward + backward + SGD step, batch 16) of the module netbuilder
   generates and of the same network written by hand in idiomatic PyTorch (torchvision's
   style for ResNet-18: BasicBlock, in-place ReLU, ``out += identity``). Both live in one
   process, get the same weights (checked: same outputs), and are timed in interleaved
   repetitions, alternating which goes first; the figure is the median. Goal: ratio <= 1.02.
2. ``export_onnx`` time for LeNet-5 and ResNet-18 (3x224x224), dynamo and TorchScript:
   the exporter alone and the whole call (build, export, checker, onnxruntime verification).

    python benchmarks/bench_codegen.py            # full run (about 2 minutes on 2 cores)
    python benchmarks/bench_codegen.py --quick    # fewer repetitions
    python benchmarks/bench_codegen.py --threads 1 --cpu-clock --skip-onnx   # on a busy machine
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from netbuilder.codegen.build import build_module
from netbuilder.codegen.onnx_export import export_onnx
from netbuilder.graph.project import load_project

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"


# -- the same networks, written by hand ---------------------------------------------------

class HandLeNet5(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class HandResNet18(nn.Module):
    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers.append(nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
            cin = cout
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


# -- timing -----------------------------------------------------------------------------

def copy_weights(src: nn.Module, dst: nn.Module) -> None:
    """Same tensors in the same order (both define the layers in the same order)."""
    a, b = src.state_dict(), dst.state_dict()
    assert len(a) == len(b), (len(a), len(b))
    for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
        assert va.shape == vb.shape, (ka, kb)
    dst.load_state_dict(dict(zip(b, a.values(), strict=True)))


CLOCK = time.perf_counter


def step_timer(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int):
    """A function timing ``steps`` training steps; returns seconds per step."""
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)

    def run() -> float:
        t0 = CLOCK()
        for _ in range(steps):
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return (CLOCK() - t0) / steps
    return run


def compare(name: str, generated: nn.Module, hand: nn.Module, shape: tuple[int, ...],
            reps: int, steps: int) -> dict[str, float]:
    copy_weights(generated, hand)
    x = torch.randn(16, *shape)
    y = torch.randint(0, 10, (16,))
    with torch.no_grad():
        same = torch.allclose(generated.eval()(x), hand.eval()(x), rtol=1e-4, atol=1e-5)
    assert same, f"{name}: the hand-written network computes something else"
    generated.train()
    hand.train()
    timers = {"generated": step_timer(generated, x, y, steps), "hand": step_timer(hand, x, y, steps)}
    for t in timers.values():  # warm-up
        t()
    times: dict[str, list[float]] = {"generated": [], "hand": []}
    for r in range(reps):
        order = ("generated", "hand") if r % 2 == 0 else ("hand", "generated")
        for k in order:
            times[k].append(timers[k]())
    g, h = statistics.median(times["generated"]), statistics.median(times["hand"])
    gm, hm = min(times["generated"]), min(times["hand"])
    print(f"{name:<20} median: generated {g * 1e3:7.2f} ms, hand {h * 1e3:7.2f} ms, "
          f"ratio {g / h:.3f} | min: {gm * 1e3:7.2f} vs {hm * 1e3:7.2f} ms, ratio {gm / hm:.3f}"
          f"  ({reps} reps x {steps} steps)")
    return {"median_ratio": g / h, "min_ratio": gm / hm}


def export_times(reps: int) -> None:
    graphs = {"LeNet-5": load_project(EXAMPLES / "lenet5.json").graph,
              "ResNet-18 (3x224x224)": load_project(EXAMPLES / "resnet18_flat.json").graph}
    with tempfile.TemporaryDirectory() as tmp:
        export_onnx(graphs["LeNet-5"], Path(tmp) / "warmup.onnx", exporter="dynamo")
        for name, graph in graphs.items():
            for exporter in ("dynamo", "torchscript"):
                reports = [export_onnx(graph, Path(tmp) / "m.onnx", exporter=exporter)
                           for _ in range(reps)]
                ex = statistics.median(r.export_seconds for r in reports)
                total = statistics.median(r.seconds for r in reports)
                worst = max(r.max_abs_diff for r in reports)
                print(f"{name:<22} {exporter:<11} export {ex:6.2f} s   with build + "
                      f"verification {total:6.2f} s   max abs diff {worst:.1e}   "
                      f"(median of {reps})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch threads (default: torch's own choice)")
    parser.add_argument("--skip-onnx", action="store_true", help="only the training steps")
    parser.add_argument("--cpu-clock", action="store_true",
                        help="time the main thread's CPU time instead of wall time (with "
                             "--threads 1: insensitive to other jobs sharing the cores)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.cpu_clock:
        global CLOCK
        CLOCK = time.thread_time
    torch.manual_seed(0)
    clock = "main-thread CPU time" if args.cpu_clock else "wall time"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {clock}\n")
    print("Training step (forward + backward + SGD), batch 16")
    lenet = load_project(EXAMPLES / "lenet5.json").graph
    compare("LeNet-5 (1x28x28)", build_module(lenet), HandLeNet5(), (1, 28, 28),
            reps=10 if args.quick else 40, steps=20)
    resnet = load_project(EXAMPLES / "resnet18_flat.json").graph
    resnet.set_param("input", "shape", [3, 64, 64])
    resnet.set_param("fc", "out_features", 10)
    compare("ResNet-18 (3x64x64)", build_module(resnet), HandResNet18(10), (3, 64, 64),
            reps=6 if args.quick else 20, steps=2)
    if not args.skip_onnx:
        print("\nONNX export (export_onnx; verification = onnx.checker full + onnxruntime)")
        export_times(1 if args.quick else 3)


if __name__ == "__main__":
    main()
