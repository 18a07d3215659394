"""Screenshots of transfer learning on ``lenet5`` (run offscreen).

    python tools/shoot_transfer.py OUTDIR

Writes OUTDIR/transfer_frozen.png (the window after "Freeze up to here" on pool2: the
frozen cards hatched, "frozen" in their footers, the Summary's trainable/frozen counts) and
OUTDIR/transfer_load_weights.png (File > Load Weights... with a file whose classifier is
named differently and whose head was trained for 10 classes while this one has 5).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shooting import settle, start_app  # noqa: E402


def main(out: str) -> None:
    import torch

    app, tmp = start_app()
    from netbuilder.codegen.build import build_module
    from netbuilder.ui.main_window import MainWindow

    w = MainWindow(persist=False, autosave=False)
    w.files.open_example("lenet5", ask=False)
    w.resize(1600, 1000)
    w.show()
    pretrained = build_module(w.document.graph).state_dict()    # 10 classes
    names = {"conv1": "features.0", "conv2": "features.3", "fc1": "classifier.1",
             "fc2": "classifier.4", "fc3": "classifier.6"}
    path = os.path.join(tmp, "lenet_pretrained.pth")
    torch.save({f"{names[k.split('.')[0]]}.{k.split('.')[1]}": v for k, v in pretrained.items()},
               path)
    w.document.set_training({**w.document.project.training, "dataset": "digits28_5to9"})
    w.transfer.replace_head(w.transfer.class_count())
    w.canvas.freeze_up_to("pool2")
    w.canvas.select_node("conv2")
    w.show_network()
    settle(600)
    w.canvas.fit_all()
    settle()
    w.grab().save(os.path.join(out, "transfer_frozen.png"))
    dialog = w.transfer.load_weights(path, show=False)
    dialog.resize(900, 470)
    dialog.show()
    settle()
    dialog.grab().save(os.path.join(out, "transfer_load_weights.png"))
    dialog.close()
    w.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
