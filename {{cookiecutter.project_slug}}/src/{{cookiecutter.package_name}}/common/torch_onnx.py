"""Export a PyTorch network to ONNX and check it: shared by the image and text scenarios.

The exporter is PyTorch's TorchScript-based one (``dynamo=False``). Measured with torch 2.13 on the
template's models: it exports in under a second where the torch.export-based exporter (the default since
torch 2.9) takes 6-13 s, needs no onnxscript, and its graphs ran faster in ONNX Runtime (text model 1.6x
vs 1.2x the PyTorch model). PyTorch marks it deprecated; the template pins torch below 2.15, and
``dynamo=True`` (plus the onnxscript package) is the switch when it goes.
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from ..serving import onnx_model

logger = logging.getLogger(__name__)
# float32 networks in two runtimes: measured differences ~1e-7; 1e-4 is far below any decision.
PROBABILITY_TOLERANCE = 1e-4
OPSET = 17
OUTPUT = "probabilities"


class Softmaxed(torch.nn.Module):
    """The Hugging Face model's class probabilities from named tensors: what the ONNX graph computes."""

    def __init__(self, network: torch.nn.Module, input_names: list[str]) -> None:
        super().__init__()
        self.network, self.input_names = network, input_names

    def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.network(**dict(zip(self.input_names, tensors, strict=True))).logits, dim=-1)


def export(
    network: torch.nn.Module, example: dict[str, torch.Tensor], dynamic_axes: dict, path: Path, metadata: dict
) -> dict:
    """Write ``path`` (probabilities from ``example``'s inputs) if ONNX Runtime agrees with PyTorch on ``example``.

    Returns the comparison and the export's cost; on disagreement nothing is written and serving keeps
    the MLflow model.
    """
    import onnx

    started = time.perf_counter()
    names = list(example)
    wrapped = Softmaxed(network.cpu().eval(), names).eval()
    tensors = tuple(example.values())
    try:
        _export(wrapped, tensors, names, dynamic_axes, path)
    except Exception as error:  # an exporter that cannot handle the network must not lose the trained model
        logger.warning("ONNX export left out: torch.onnx could not export the network (%s)", error)
        Path(path).unlink(missing_ok=True)
        return {"exported": False}
    with torch.no_grad():
        expected = wrapped(*tensors).numpy()
    model = onnx.load(str(path))
    onnx_model.add_metadata(model, metadata)
    onnx.save(model, str(path))
    session = onnx_model.session(path)
    got = session.run([OUTPUT], {name: tensor.numpy() for name, tensor in example.items()})[0]
    compared = {
        "max_probability_difference": float(np.abs(expected - got).max()),
        "label_mismatches": int((expected.argmax(axis=1) != got.argmax(axis=1)).sum()),
        "onnx_bytes": Path(path).stat().st_size,
        "export_seconds": time.perf_counter() - started,
    }
    compared["exported"] = (
        compared["label_mismatches"] == 0 and compared["max_probability_difference"] <= PROBABILITY_TOLERANCE
    )
    if not compared["exported"]:
        Path(path).unlink()
        logger.warning("ONNX export left out: it disagrees with the PyTorch model (%s)", compared)
    return compared


def _export(wrapped: torch.nn.Module, tensors: tuple, names: list[str], dynamic_axes: dict, path: Path) -> None:
    with warnings.catch_warnings(), torch.no_grad():
        # Deprecation of this exporter (see above) and tracer notes about shape checks in transformers'
        # code that are constants for a given model: neither changes the exported graph.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # transformers' attention-mask code indexes with arange tensors (never negative), the one case the
        # exporter's advanced-indexing note warns about; export() compares the graph with PyTorch anyway.
        warnings.filterwarnings("ignore", message="Exporting aten::index operator", category=UserWarning)
        torch.onnx.export(
            wrapped,
            tensors,
            str(path),
            input_names=names,
            output_names=[OUTPUT],
            dynamic_axes={**dynamic_axes, OUTPUT: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
