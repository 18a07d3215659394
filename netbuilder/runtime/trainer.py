"""The training loop: ``train(...)`` is a generator of plain events and starts no threads.

Small in-memory datasets are moved to the device once and batched through a permuted index
tensor (no DataLoader). Per-batch losses and predictions stay on the device; they are read
back only when an event is due (at most about 20 Step events a second, and once per epoch).
Every failure inside a run ends it with a Failed event; nothing propagates out of the
generator.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from netbuilder.graph import atomic
from netbuilder.runtime import resume as resuming
from netbuilder.runtime.checkpoint import (
    Checkpoint,
    best_path_for,
    checkpoint_bytes,
    load_checkpoint,
    state_copy,
)
from netbuilder.runtime.clock import RunClock
from netbuilder.runtime.compat import check_compat, check_input, has_errors
from netbuilder.runtime.config import TrainingConfig, config_from_dict
from netbuilder.runtime.control import TrainingControl
from netbuilder.runtime.datasets.augment import augment_batch
from netbuilder.runtime.datasets.base import Dataset, format_shape
from netbuilder.runtime.datasets.normalize import Normalization, fit_normalization
from netbuilder.runtime.datasets.split import split_indices
from netbuilder.runtime.devices import describe_device, empty_cache, resolve_device
from netbuilder.runtime.errors import CheckpointError, ConfigError, DatasetError, TrainingError
from netbuilder.runtime.events import (
    Epoch,
    Event,
    Failed,
    Finished,
    Paused,
    Resumed,
    Started,
    Step,
    Stopped,
    WeightsSnapshot,
)
from netbuilder.runtime.failures import (
    from_exception,
    is_out_of_memory,
    locate_failing_layer,
    non_finite_loss,
    out_of_memory,
)
from netbuilder.runtime.losses import compute_loss
from netbuilder.runtime.metrics import EpochMeter, Reading, evaluate
from netbuilder.runtime.optim import Schedule, build_optimizer
from netbuilder.runtime.output_kind import guess_output_kind
from netbuilder.runtime.placement import Placement, choose_placement
from netbuilder.runtime.record import RunRecord
from netbuilder.runtime.tasks import noisy, reports_accuracy, run_task

STEP_EVENT_INTERVAL_S = 0.05  # at most ~20 Step events per second
EVAL_BATCH_MULTIPLIER = 4


def train(
    model: torch.nn.Module,
    dataset: Dataset,
    config: TrainingConfig | Mapping[str, Any] | None = None,
    *,
    control: TrainingControl | None = None,
    resume: Checkpoint | str | os.PathLike[str] | None = None,
    fingerprint: str = "",
    input_shape: tuple[int, ...] | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    stats: Any = None,
    checkpoint_file: str | os.PathLike[str] | None = None,
) -> Iterator[Event]:
    """Train ``model`` on ``dataset``, yielding Started, Step, Epoch, ... and one final event.

    The final event is Finished, Stopped or Failed. ``control`` (checked before every
    batch) stops or pauses the run; while paused the generator blocks, so run it in a
    worker thread. ``resume`` continues from a checkpoint saved for the same
    ``fingerprint``. ``input_shape`` (the graph's Input shape, no batch axis) enables the
    input part of the compatibility check. With ``checkpoint_dir``, ``last.pt`` is written
    after every epoch and ``best.pt`` whenever the validation loss reaches a new low; with
    ``checkpoint_file`` (``C.pt``) they are that file and ``C.best.pt`` beside it. Both are
    written atomically, so each always holds a whole epoch's checkpoint; a ``checkpoint_file``
    is also fsynced (it survives a power cut), while the ``checkpoint_dir`` working copies
    of the window are not (tiny epochs of a few ms stay fast).
    ``stats`` (a ``runtime.insight.stats.NodeStatsCollector`` listening to ``model``, a tap
    module) adds NodeStats events every so often.
    The model is trained in place and stays on the training device.
    """
    run = _Run(model, dataset, config, control, resume, fingerprint, input_shape, checkpoint_dir,
               checkpoint_file)
    run.stats = stats
    failure: Failed | None = None
    try:
        yield from run.events()
    except Exception as exc:  # noqa: BLE001 - the contract: any failure becomes a Failed event
        failure = run.failure_for(exc)
    finally:
        # after the except block: the exception and the frames holding tensors are gone
        run.release(thorough=failure is not None and failure.kind == "oom")
    if failure is not None:
        yield failure


def batch_sizes(n: int, batch_size: int) -> list[int]:
    """Sizes of an epoch's batches; a last batch of one sample is dropped (BatchNorm)."""
    full, rest = divmod(n, batch_size)
    sizes = [batch_size] * full + ([rest] if rest else [])
    if len(sizes) > 1 and sizes[-1] == 1:
        sizes.pop()
    return sizes


def _epoch_seed(seed: int, epoch: int) -> int:
    # each epoch's shuffle depends on (seed, epoch) only, so a resumed run shuffles the same
    return (seed * 1_000_003 + epoch * 7_919) % (2**63)


@dataclass
class _Loop:
    """What every step of a run's loop needs, set up once per call to ``_Run._loop``."""

    forward: torch.nn.Module
    optimizer: Any
    schedule: Schedule
    placement: Placement
    offsets: list[int]            # where each batch of the epoch's order starts and ends
    data: tuple[torch.Tensor, ...]  # x_train, y_train, x_val, y_val on the device
    params: list[torch.Tensor]
    l1_params: list[torch.Tensor]
    augment: bool
    clock: RunClock
    step: int                     # steps taken so far in the whole run
    eval_batch: int

    @property
    def steps_per_epoch(self) -> int:
        return len(self.offsets) - 1


class _Run:
    """The state of one call to :func:`train`; its ``events`` generator does the work."""

    def __init__(self, model, dataset, config, control, resume, fingerprint, input_shape,
                 checkpoint_dir, checkpoint_file=None) -> None:
        self.model: torch.nn.Module = model
        self.dataset: Dataset = dataset
        self.raw_config = config
        self.config = TrainingConfig()
        self.control: TrainingControl | None = control
        self.resume = resume
        self.fingerprint = fingerprint
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.last_file: Path | None = None
        self.best_file: Path | None = None
        self.durable = False
        if checkpoint_file is not None:
            self.last_file = Path(checkpoint_file)
            self.best_file = best_path_for(self.last_file)
            self.durable = True
        elif checkpoint_dir is not None:
            self.last_file = Path(checkpoint_dir) / "last.pt"
            self.best_file = Path(checkpoint_dir) / "best.pt"
        self.device = torch.device("cpu")
        self.phase = "setup"  # where a failure happened: setup, data, dry_run, train, eval, checkpoint
        self.epoch: int | None = None
        self.step: int | None = None
        self.steps_per_epoch = 0
        self.current_batch: torch.Tensor | None = None
        self.record = RunRecord()
        self.checkpoints: dict[str, str] = {}
        self.normalization: Normalization | None = None
        self.warnings: list[str] = []
        self.threads_before: int | None = None
        self.stats: Any = None
        self.task = "classification"   # what the run learns (runtime.tasks.run_task)
        self.denoise_std = 0.0

    # ----- setup -------------------------------------------------------------------------

    def _read_config(self) -> TrainingConfig:
        raw = self.raw_config
        if raw is None:
            return TrainingConfig()
        if isinstance(raw, TrainingConfig):
            return raw
        if isinstance(raw, Mapping):
            return config_from_dict(raw)
        raise ConfigError(
            f"config must be a TrainingConfig or a dict of settings; received {type(raw).__name__}"
        )

    def _check_data(self) -> None:
        d = self.dataset
        if not isinstance(d, Dataset):
            raise DatasetError(
                f"train() expects a netbuilder Dataset (from load_dataset); received {type(d).__name__}"
            )
        if len(d) < 2:
            raise DatasetError(f"'{d.info.name}' holds {len(d)} sample(s); training needs at least 2")
        if d.x.is_floating_point() and not torch.isfinite(d.x).all():
            raise DatasetError(f"'{d.info.name}' holds NaN or infinite input values; clean the data first")
        if self.task == "reconstruction":
            if not d.x.is_floating_point():
                raise DatasetError(
                    f"'{d.info.name}' gives token ids, which cannot be reconstructed value by "
                    f"value: pick a dataset of real-valued samples, or set task to 'auto'"
                )
        elif d.info.has_class_ids:
            low, high = int(d.y.min()), int(d.y.max())
            if low < 0 or high >= max(d.info.num_classes, 1):
                # on CUDA such labels would trip a device-side assert and poison the process
                raise DatasetError(
                    f"'{d.info.name}' has class ids from {low} to {high}, but its info declares "
                    f"{d.info.num_classes} classes (ids 0..{d.info.num_classes - 1})"
                )
        elif not torch.isfinite(d.y).all():
            raise DatasetError(f"'{d.info.name}' holds NaN or infinite targets; clean the data first")

    def _place_data(self, config: TrainingConfig) -> tuple[torch.Tensor, ...]:
        train_idx, val_idx = split_indices(self.dataset, config.val_fraction, config.seed)
        x, y = self.dataset.x, self.dataset.y
        self.phase = "data"
        device = self.device
        # indexing copies, so the in-place normalisation below never touches the Dataset
        x_train, x_val = x[train_idx].to(device), x[val_idx].to(device)
        if config.normalize:
            self.normalization = fit_normalization(x_train)
            if self.normalization is not None:
                self.normalization.apply_(x_train)
                self.normalization.apply_(x_val)
        if self.task == "reconstruction":
            # the target is the (normalised) input; a denoising run is judged on inputs noised
            # once, from the seed, so every epoch's validation sees the same ones
            gen = torch.Generator(device=device).manual_seed(_epoch_seed(config.seed + 3, 0))
            return x_train, x_train, noisy(x_val, self.denoise_std, gen), x_val
        return x_train, y[train_idx].to(device), x_val, y[val_idx].to(device)

    def _dry_run(self, forward: torch.nn.Module, x: torch.Tensor, placement: Placement) -> torch.Tensor:
        """One forward pass in eval mode, so shape errors surface before the first step."""
        self.phase = "dry_run"
        self.current_batch = x
        self.model.eval()
        with torch.no_grad(), placement.autocast():
            return forward(placement.batch(x))

    def _compile(self, placement: Placement, x: torch.Tensor) -> tuple[torch.nn.Module, bool]:
        try:
            compiled = torch.compile(self.model)
            self._dry_run(compiled, x, placement)
        except Exception as exc:  # noqa: BLE001 - compilation is optional; fall back to eager
            self.warnings.append(f"torch.compile failed ({type(exc).__name__}); training without it")
            return self.model, False
        return compiled, True

    # ----- events ------------------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        config = self.config = self._read_config()
        if isinstance(self.dataset, Dataset):
            self.task = run_task(config.task, self.dataset.info)
            self.denoise_std = config.denoise_std if self.task == "reconstruction" else 0.0
        self._check_data()
        self.device = resolve_device(config.device)
        if config.cpu_threads is not None and self.device.type == "cpu":
            self.threads_before = torch.get_num_threads()
            torch.set_num_threads(config.cpu_threads)
        torch.manual_seed(config.seed)
        x_train, y_train, x_val, y_val = self._place_data(config)
        image_data = x_train.dim() == 4 and x_train.is_floating_point()
        placement = choose_placement(
            self.device, mixed_precision=config.mixed_precision,
            channels_last=config.channels_last, image_data=image_data,
        )
        self.phase = "setup"
        model = self.model.to(self.device)
        if placement.channels_last:
            model = model.to(memory_format=torch.channels_last)
        params = [p for p in model.parameters() if p.requires_grad]
        if not params and any(True for _ in model.parameters()):
            raise TrainingError(
                "Every layer with weights is frozen, so training would change nothing: "
                "untick Trainable in the Inspector for the layers to fine-tune (the head)"
            )
        if not params:
            raise TrainingError(
                "The model has no trainable parameters: add a layer with weights "
                "(Linear, Conv2d, ...) before training"
            )
        optimizer = build_optimizer(params, config)
        sizes = batch_sizes(len(x_train), config.batch_size)
        self.steps_per_epoch = len(sizes)
        schedule = Schedule(optimizer, config, len(sizes))
        start_epoch = 1
        if self.resume is not None:
            self.phase = "checkpoint"
            if not isinstance(self.resume, Checkpoint):
                self.resume = load_checkpoint(self.resume)
            start_epoch, self.record, warnings = resuming.restore(
                self.resume, self.model, optimizer, schedule, config, self.fingerprint
            )
            self.warnings += warnings

        early = check_input(self.input_shape, self.dataset.info)
        if early:  # the model would not even run on these samples; say why in the user's terms
            yield Failed(message="\n".join(p.message for p in early), kind="compat")
            return
        probe = x_train[: min(2, len(x_train))]
        output = self._dry_run(model, probe, placement)
        problems = check_compat(
            self.input_shape, tuple(output.shape[1:]), self.dataset.info, config.loss,
            output_kind=guess_output_kind(output, config.loss), task=config.task,
        )
        if has_errors(problems):
            yield Failed(
                message="\n".join(p.message for p in problems if p.level == "error"),
                kind="compat",
            )
            return
        self.warnings += [p.message for p in problems if p.level == "warning"]
        if self.task == "segmentation" and image_data and (config.augment_hflip
                                                            or config.augment_crop_padding > 0):
            self.warnings.append("Augmentation is off for segmentation: flipped or shifted "
                                 "images would no longer match their masks")
        forward, compiled = model, False
        if config.compile and self.device.type == "cuda":
            forward, compiled = self._compile(placement, probe)
        if isinstance(self.resume, Checkpoint):
            resuming.restore_rng(self.resume)  # last: nothing before may draw random numbers
        self.phase = "train"
        yield Started(
            total_steps=config.epochs * len(sizes),
            steps_per_epoch=len(sizes),
            epochs=config.epochs,
            start_epoch=start_epoch,
            device=str(self.device),
            device_name=describe_device(self.device),
            train_samples=len(x_train),
            val_samples=len(x_val),
            parameters=sum(p.numel() for p in params),
            mixed_precision=placement.mixed_precision,
            channels_last=placement.channels_last,
            compiled=compiled,
            warnings=tuple(self.warnings),
        )
        yield from self._loop(
            forward, optimizer, schedule, placement, sizes, start_epoch,
            (x_train, y_train, x_val, y_val), params, image_data,
        )

    def _loop(self, forward, optimizer, schedule, placement, sizes, start_epoch, data, params,
              image_data) -> Iterator[Event]:
        """The epochs from ``start_epoch``, then Finished (unless a step or an epoch ended
        the run: a stop, a non-finite loss, early stopping)."""
        loop = self._loop_state(forward, optimizer, schedule, placement, sizes, start_epoch,
                                data, params, image_data)
        for epoch in range(start_epoch, self.config.epochs + 1):
            if (yield from self._epoch(loop, epoch)):
                return
        yield self._final(Finished, epochs_run=self.config.epochs, stopped_early=False)

    def _loop_state(self, forward, optimizer, schedule, placement, sizes, start_epoch, data,
                    params, image_data) -> _Loop:
        """What the loop needs, set up once: batch offsets, the clock, L1 and augmentation."""
        config = self.config
        offsets = [0]
        for size in sizes:
            offsets.append(offsets[-1] + size)
        step = (start_epoch - 1) * len(sizes)
        augment = image_data and (config.augment_hflip or config.augment_crop_padding > 0)
        return _Loop(
            forward=forward, optimizer=optimizer, schedule=schedule, placement=placement,
            offsets=offsets, data=data, params=params,
            l1_params=[p for p in params if p.dim() > 1] if config.l1 > 0 else [],
            augment=augment and self.task != "segmentation",  # a mask would not move along
            clock=RunClock(step, config.epochs * len(sizes), STEP_EVENT_INTERVAL_S),
            step=step, eval_batch=config.batch_size * EVAL_BATCH_MULTIPLIER,
        )

    def _epoch(self, loop: _Loop, epoch: int) -> Iterator[Event]:
        """One epoch's batches, then its validation; returns True when the run ended."""
        self.epoch = epoch
        self.model.train()
        order, augment_gen, noise_gen = self._epoch_draws(loop, epoch)
        meter = EpochMeter(self.config.loss, reports_accuracy(self.task))
        loop.clock.start_epoch()
        for b in range(loop.steps_per_epoch):
            control = self.control
            if control is not None and (control.stop_requested or control.pause_requested):
                if (yield from self._pause_or_stop(loop, meter, epoch, b)):
                    return True
            xb, yb = self._batch(loop, order, b, augment_gen, noise_gen)
            self._train_step(loop, xb, yb, meter)
            if (yield from self._after_step(loop, meter, epoch, b)):
                return True
        return (yield from self._end_epoch(loop, meter, epoch))

    def _epoch_draws(self, loop: _Loop, epoch: int) -> tuple[torch.Tensor, torch.Generator | None,
                                                             torch.Generator | None]:
        """The epoch's shuffle and the generators of its augmentation and input noise, each
        drawn from (seed, epoch) only, so a resumed run draws the same."""
        seed, device = self.config.seed, self.device
        shuffle = torch.Generator().manual_seed(_epoch_seed(seed, epoch))
        order = torch.randperm(len(loop.data[0]), generator=shuffle).to(device)
        augment_gen = noise_gen = None
        if loop.augment:
            augment_gen = torch.Generator(device=device).manual_seed(_epoch_seed(seed + 1, epoch))
        if self.denoise_std > 0:
            noise_gen = torch.Generator(device=device).manual_seed(_epoch_seed(seed + 2, epoch))
        return order, augment_gen, noise_gen

    def _pause_or_stop(self, loop: _Loop, meter: EpochMeter, epoch: int, b: int) -> Iterator[Event]:
        """Bring the plots up to date, then pause or stop; returns True when the run ended."""
        if meter.pending:
            if (yield from self._emit_step(loop, meter, epoch, b)):
                return True
        loop.clock.pause()
        go_on = yield from self._pause_point(epoch, loop.step)
        loop.clock.resume()
        if not go_on:
            yield self._final(Stopped, epoch=epoch, step=loop.step)
            return True
        return False

    def _batch(self, loop: _Loop, order: torch.Tensor, b: int, augment_gen, noise_gen
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch ``b`` of the epoch's order: augmented, and for a reconstruction the clean
        input as the target and (denoising) a noisy copy as the input."""
        config = self.config
        x_train, y_train = loop.data[0], loop.data[1]
        index = order[loop.offsets[b]:loop.offsets[b + 1]]
        xb = x_train.index_select(0, index)
        yb = None if self.task == "reconstruction" else y_train.index_select(0, index)
        if loop.augment:
            xb = augment_batch(xb, crop_padding=config.augment_crop_padding,
                               hflip=config.augment_hflip, generator=augment_gen)
        if yb is None:
            yb = xb
            xb = noisy(xb, self.denoise_std, noise_gen)
        if loop.placement.channels_last:
            xb = loop.placement.batch(xb)
        return xb, yb

    def _train_step(self, loop: _Loop, xb: torch.Tensor, yb: torch.Tensor,
                    meter: EpochMeter) -> None:
        """Forward, loss, backward and the optimiser's update for one batch."""
        self.current_batch = xb
        stats = self.stats
        if stats is not None:
            stats.begin(loop.step)
        with loop.placement.autocast():
            output = loop.forward(xb)
            loss = compute_loss(self.config.loss, output, yb)
        l1 = self.config.l1
        objective = loss + l1 * sum(p.abs().sum() for p in loop.l1_params) if loop.l1_params else loss
        loop.optimizer.zero_grad(set_to_none=True)
        objective.backward()
        if self.config.grad_clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(loop.params, self.config.grad_clip_norm, foreach=True)
        if stats is not None:
            stats.before_update()
        loop.optimizer.step()
        loop.schedule.after_batch()
        meter.record(loss, output, yb)
        loop.step += 1
        self.step = loop.step

    def _after_step(self, loop: _Loop, meter: EpochMeter, epoch: int, b: int) -> Iterator[Event]:
        """The events a step may owe: node statistics, a weights snapshot, a Step."""
        if self.stats is not None:
            node_stats = self.stats.take(epoch, loop.step)
            if node_stats is not None:
                yield node_stats
        if self.control is not None and self.control.take_snapshot_request():
            yield WeightsSnapshot(epoch, loop.step, state_copy(self.model))
        if loop.clock.step_event_due():
            return (yield from self._emit_step(loop, meter, epoch, b + 1))
        return False

    def _emit_step(self, loop: _Loop, meter: EpochMeter, epoch: int, batch: int) -> Iterator[Event]:
        """Yield a Step (or the Failed of a non-finite loss); returns True when it failed."""
        event = self._step_event(meter, loop.clock, epoch, loop.step, batch)
        yield event
        return isinstance(event, Failed)

    def _end_epoch(self, loop: _Loop, meter: EpochMeter, epoch: int) -> Iterator[Event]:
        """The last Step, validation, the checkpoint and the Epoch event; then early stopping
        or a stop request; returns True when the run ended."""
        if meter.pending:   # the epoch's last batches get their Step: every epoch ends on a point
            if (yield from self._emit_step(loop, meter, epoch, loop.steps_per_epoch)):
                return True
        clock, config = loop.clock, self.config
        train_time = clock.epoch_time()
        reading = meter.total()
        self.phase = "eval"
        self.model.eval()
        _, _, x_val, y_val = loop.data
        val = evaluate(loop.forward, x_val, y_val, config.loss, reports_accuracy(self.task),
                       loop.eval_batch, loop.placement,
                       num_classes=self.dataset.info.num_classes if self.task == "segmentation" else 0)
        self.phase = "train"
        lr = loop.schedule.current_lr()
        loop.schedule.after_epoch()
        is_best = self.record.track(val.loss if val else None, epoch)
        entry = {
            "epoch": epoch,
            "train_loss": reading.loss,
            "train_acc": reading.accuracy,
            "train_mse": reading.mse,
            "val_loss": val.loss if val else None,
            "val_acc": val.accuracy if val else None,
            "val_mse": val.mse if val else None,
            "lr": lr,
            "time_s": clock.epoch_time(),
        }
        if self.task == "segmentation":
            entry["val_miou"] = val.miou if val else None
        self.record.history.append(entry)
        if self.last_file is not None:
            self._save(loop.optimizer, loop.schedule, epoch, entry, is_best)
        yield Epoch(
            **entry,
            samples_per_s=reading.samples / max(train_time, 1e-9),
            is_best=is_best,
            progress=loop.step / clock.total_steps,
        )
        patience = config.early_stopping_patience
        if patience is not None and self.record.bad_epochs >= patience:
            yield self._final(Finished, epochs_run=epoch, stopped_early=True)
            return True
        if self.control is not None and self.control.stop_requested:
            yield self._final(Stopped, epoch=epoch, step=loop.step)
            return True
        return False

    def _pause_point(self, epoch: int, step: int) -> Iterator[Event]:
        """Yield Paused and block until resume (True) or stop (False); stop alone: False."""
        control = self.control
        assert control is not None
        if control.stop_requested:
            return False
        yield Paused(epoch=epoch, step=step)
        if not control.wait_while_paused():
            return False
        yield Resumed(epoch=epoch, step=step)
        return True

    def _step_event(self, meter: EpochMeter, clock: RunClock, epoch: int, step: int,
                    batch: int) -> Step | Failed:
        reading = meter.flush()
        if reading.bad_batch is not None:
            return self._nan(reading, epoch)
        samples_per_s, eta_s = clock.emitted(reading.samples, step)
        return Step(
            epoch=epoch,
            step=step,
            batch=batch,
            train_loss=reading.loss,
            train_acc=reading.accuracy,
            train_mse=reading.mse,
            samples_per_s=samples_per_s,
            eta_s=eta_s,
            progress=step / clock.total_steps,
        )

    def _nan(self, reading: Reading, epoch: int) -> Failed:
        batch = (reading.bad_batch or 0) + 1
        step = (epoch - 1) * self.steps_per_epoch + batch
        return non_finite_loss(reading.bad_value, self.config, epoch, step, batch,
                               first_step=step == 1)

    def _save(self, optimizer, schedule: Schedule, epoch: int, entry: dict[str, Any],
              is_best: bool) -> None:
        self.phase = "checkpoint"
        assert self.last_file is not None and self.best_file is not None
        state = resuming.trainer_state(self.record, schedule, self.config, self.normalization, self.device)
        data = checkpoint_bytes(self.model, optimizer, epoch, self.fingerprint, entry,
                                trainer_state=state)
        try:
            atomic.write_bytes(self.last_file, data, durable=self.durable)
            self.checkpoints["last"] = str(self.last_file)
            if is_best:
                atomic.write_bytes(self.best_file, data, durable=self.durable)
                self.checkpoints["best"] = str(self.best_file)
        except atomic.WriteError as exc:
            raise CheckpointError(str(exc)) from None
        self.phase = "train"

    def _final(self, kind, **fields: Any) -> Finished | Stopped:
        common = {
            "metrics": self.record.metrics(),
            "history": tuple(self.record.history),
            "checkpoints": dict(self.checkpoints),
            "normalization": self.normalization.to_dict() if self.normalization else None,
        }
        if kind is Finished:
            return Finished(best_epoch=self.record.best_epoch, **common, **fields)
        return Stopped(**common, **fields)

    # ----- failures ----------------------------------------------------------------------

    def failure_for(self, exc: Exception) -> Failed:
        if is_out_of_memory(exc):
            return out_of_memory(exc, self.config, self.phase, self.epoch, self.step)
        layer = None
        if self.phase in ("dry_run", "train") and self.current_batch is not None:
            layer = locate_failing_layer(self.model, self.current_batch)
        failed = from_exception(exc, self.epoch, self.step, layer)
        if self.phase == "dry_run" and failed.kind in ("model", "error"):
            shape = format_shape(tuple(self.dataset.info.sample_shape))
            return Failed(
                message=f"The model cannot run on samples of '{self.dataset.info.name}' "
                f"({shape}): {failed.message}",
                kind="model",
            )
        return failed

    def release(self, thorough: bool = False) -> None:
        """Drop references to batches and gradients; after an OOM also empty the cache."""
        self.current_batch = None
        self.model.zero_grad(set_to_none=True)
        if self.threads_before is not None:
            torch.set_num_threads(self.threads_before)
            self.threads_before = None
        if thorough:
            gc.collect()
            empty_cache(self.device)
