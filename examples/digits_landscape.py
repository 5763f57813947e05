"""Train the digits MLP, then draw its loss landscape and its training trajectory.

    python examples/digits_landscape.py [--epochs 20] [--points 41] [--out digits-out]

Writes checkpoints (``epoch-*.pt``, ``final.pt``), ``plane.png`` (a random
filter-normalised plane around the trained network, Li et al. 2018),
``trajectory.png`` (the PCA plane of the checkpoints, with the path) and
``line.png`` (the loss from the initial to the trained network).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from digits import build, load

from losslab.plots.networks import figure_landscape, figure_line
from losslab.torch import scan_line, scan_plane, scan_trajectory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--points", type=int, default=41)
    parser.add_argument("--out", default="digits-out")
    parser.add_argument("--lang", default="en", choices=["en", "ja"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(0)
    x, y = load()
    model = build()
    initial = build()
    initial.load_state_dict(model.state_dict())
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    checkpoints = [{k: v.clone() for k, v in model.state_dict().items()}]
    for epoch in range(args.epochs):
        for batch in torch.randperm(x.shape[0]).split(64):
            optimizer.zero_grad()
            loss_fn(model(x[batch]), y[batch]).backward()
            optimizer.step()
        checkpoints.append({k: v.clone() for k, v in model.state_dict().items()})
        torch.save(checkpoints[-1], out / f"epoch-{epoch + 1:03d}.pt")
        with torch.no_grad():
            accuracy = float((model(x).argmax(1) == y).float().mean())
        print(f"epoch {epoch + 1}: accuracy {accuracy:.3f}")
    torch.save(model.state_dict(), out / "final.pt")

    plane = scan_plane(model, loss_fn, (x, y), "random", points=args.points, progress=True)
    title = "Digits MLP: a random filter-normalised plane (Li et al. 2018)"
    figure_landscape(plane, title, lang=args.lang).savefig(out / "plane.png")

    trajectory = scan_trajectory(model, loss_fn, (x, y), checkpoints, points=args.points,
                                 progress=True)  # fmt: skip
    explained = trajectory.pca.explained * 100
    title = f"Training path in its PCA plane (PC1 {explained[0]:.0f}%, PC2 {explained[1]:.0f}%)"
    figure_landscape(trajectory.landscape, title, trajectory.coords, args.epochs,
                     lang=args.lang).savefig(out / "trajectory.png")  # fmt: skip

    line = scan_line(initial, loss_fn, (x, y), model)
    figure_line(line, args.lang).savefig(out / "line.png")
    print(f"wrote {out}/plane.png, trajectory.png, line.png and the checkpoints")


if __name__ == "__main__":
    main()
