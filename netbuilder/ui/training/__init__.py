"""The Training panel: settings, live plots and run controls (``TrainingPanel``).

Importing this package loads the training runtime (torch); the window builds the panel the
first time it is needed (see ``ui/training_host.py``).
"""

from .panel import TrainingPanel

__all__ = ["TrainingPanel"]
