"""The PyTorch training loop shared by the deep-learning scenarios (cv and nlp), on one CPU or many GPUs.

Azure ML's PyTorch distribution (``distribution: {type: pytorch, process_count_per_instance: N}`` with
``resources.instance_count: M``) starts N x M copies of the train step and sets ``RANK``,
``LOCAL_RANK`` and ``WORLD_SIZE``, as torchrun does. ``setup_distributed`` reads them, so the same
module trains on a laptop CPU, one GPU or several nodes, and no launcher of our own is needed.

Batches are ``(inputs, labels)`` where ``inputs`` is a dict of tensors passed to the model as keyword
arguments: every Hugging Face model takes its inputs that way and returns an object with ``.logits``.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import random
import sys
import time
from dataclasses import dataclass

import mlflow
import numpy as np
import torch
import torch.distributed as torch_dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

# CPU threads per process. The local models are small: with 2 threads on 2 busy cores an epoch took
# several times longer than with 1 (threads spin waiting for each other). On a GPU node the GPU does
# the work; raise it for a large model trained on CPUs.
DEFAULT_THREADS = 1


def add_training_options(parser: argparse.ArgumentParser, defaults: dict) -> None:
    """The options of every deep-learning train step; ``defaults`` has epochs, batch_size,
    learning_rate, weight_decay and seed (and log_every, else 10)."""
    parser.add_argument("--epochs", type=int, default=defaults["epochs"])
    parser.add_argument("--batch-size", type=int, default=defaults["batch_size"], help="per process")
    parser.add_argument("--learning-rate", type=float, default=defaults["learning_rate"])
    parser.add_argument("--weight-decay", type=float, default=defaults["weight_decay"])
    parser.add_argument("--seed", type=int, default=defaults["seed"])
    parser.add_argument(
        "--log-every", type=int, default=defaults.get("log_every", 10), help="print the loss every N steps"
    )
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help="CPU threads per process (default: %(default)s)"
    )


@dataclass(frozen=True)
class Distributed:
    """Where this process sits in the job: rank 0 of 1 on a laptop."""

    rank: int
    local_rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Only the main process logs to MLflow and writes outputs, or N processes would race."""
        return self.rank == 0


def setup_distributed() -> Distributed:
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
    if world_size > 1 and not torch_dist.is_initialized():
        # NCCL is the GPU collective library; gloo lets a multi-process CPU run (and its tests) work too.
        torch_dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Distributed(rank=rank, local_rank=local_rank, world_size=world_size, device=device)


def teardown_distributed(dist: Distributed) -> None:
    """Destroy the process group, and end this process without the native teardown that can abort it.

    DistributedDataParallel keeps a reference to the process group that outlives both the model and
    ``destroy_process_group``: measured with torch 2.13 and gloo, the group's threads (``gloo_tcp_loop``,
    ``pt_gloo_runloop``) still run when Python exits, and C++ then destroys them while they run. That
    aborted one rank in three test runs ("terminate called without an active exception", exit code -6)
    after all work was done. So a distributed rank flushes its output and leaves with its exit code
    (1 if an exception is on its way out) from an exit handler, before that teardown starts.
    """
    if dist.world_size > 1 and torch_dist.is_initialized():
        failing = sys.exc_info()[0] is not None  # called from a ``finally``: is an exception propagating?
        torch_dist.destroy_process_group()
        atexit.register(_exit_before_native_teardown, 1 if failing else 0)


def _exit_before_native_teardown(code: int) -> None:
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def loader(dataset: Dataset, batch_size: int, dist: Distributed, shuffle: bool, seed: int = 0) -> DataLoader:
    """A data loader that gives each process its own shard of the data when training is distributed."""
    if dist.world_size > 1:
        sampler = DistributedSampler(dataset, num_replicas=dist.world_size, rank=dist.rank, shuffle=shuffle, seed=seed)
        return DataLoader(dataset, batch_size=batch_size, sampler=sampler)
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, generator=generator if shuffle else None)


def _to_device(inputs: dict, device: torch.device) -> dict:
    return {name: tensor.to(device) for name, tensor in inputs.items()}


def _mean_across_processes(value: float, count: int, dist: Distributed) -> float:
    """The average over every process's shard, weighted by shard size (every rank must call this)."""
    if dist.world_size == 1:
        return value / max(count, 1)
    totals = torch.tensor([value, float(count)], device=dist.device)
    torch_dist.all_reduce(totals)
    return float(totals[0] / max(float(totals[1]), 1.0))


def validate(model, data: DataLoader, dist: Distributed) -> dict[str, float]:
    model.eval()
    loss_sum, correct, seen = 0.0, 0.0, 0
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    with torch.no_grad():
        for inputs, labels in data:
            labels = labels.to(dist.device)
            logits = model(**_to_device(inputs, dist.device)).logits
            loss_sum += float(loss_fn(logits, labels))
            correct += float((logits.argmax(dim=-1) == labels).sum())
            seen += len(labels)
    return {
        "val_loss": _mean_across_processes(loss_sum, seen, dist),
        "val_accuracy": _mean_across_processes(correct, seen, dist),
    }


def fit(
    model,
    train_loader: DataLoader,
    val_loader: DataLoader,
    *,
    dist: Distributed,
    epochs: int,
    learning_rate: float,
    weight_decay: float = 0.0,
    log_every: int = 10,
) -> list[dict]:
    """Train ``model`` in place with AdamW; print progress and log per-epoch metrics on the main process.

    The learning rate falls from ``learning_rate`` to zero along a cosine over all steps: at a constant
    rate the weights keep jumping, and the score of the last epoch (the model that is kept) would
    depend on where the jumps happened to stop rather than on how well the network learnt.
    """
    model.to(dist.device)
    trained = model
    if dist.world_size > 1:
        # DDP averages the gradients of all processes after each backward pass.
        trained = DistributedDataParallel(model, device_ids=[dist.local_rank] if dist.device.type == "cuda" else None)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss()
    steps = len(train_loader)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(epochs * steps, 1))
    history = []
    for epoch in range(1, epochs + 1):
        if isinstance(train_loader.sampler, DistributedSampler):
            train_loader.sampler.set_epoch(epoch)  # a different shuffle each epoch, the same on every rank
        started = time.perf_counter()
        trained.train()
        loss_sum, seen = 0.0, 0
        for step, (inputs, labels) in enumerate(train_loader, start=1):
            labels = labels.to(dist.device)
            loss = loss_fn(trained(**_to_device(inputs, dist.device)).logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            batch_loss = loss.item()
            loss_sum += batch_loss * len(labels)
            seen += len(labels)
            if dist.is_main and (step % log_every == 0 or step == steps):
                print(f"epoch {epoch}/{epochs} step {step}/{steps} loss {batch_loss:.4f}", flush=True)
        record = {"epoch": epoch, "train_loss": _mean_across_processes(loss_sum, seen, dist)}
        record |= validate(model, val_loader, dist)
        record["seconds"] = round(time.perf_counter() - started, 2)
        history.append(record)
        if dist.is_main:
            print(
                f"epoch {epoch}/{epochs} train_loss {record['train_loss']:.4f} val_loss {record['val_loss']:.4f}"
                f" val_accuracy {record['val_accuracy']:.4f} ({record['seconds']:.1f} s)",
                flush=True,
            )
            if mlflow.active_run():
                metrics = {k: v for k, v in record.items() if k not in ("epoch", "seconds")}
                mlflow.log_metrics(metrics, step=epoch)
    return history


def predict_logits(model, data: DataLoader, device: torch.device) -> np.ndarray:
    """Logits for every batch of ``data``, in order (labels, if the batches carry them, are ignored)."""
    model.to(device)
    model.eval()
    chunks = []
    with torch.no_grad():
        for batch in data:
            inputs = batch[0] if isinstance(batch, list | tuple) else batch
            chunks.append(model(**_to_device(inputs, device)).logits.cpu().numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)
