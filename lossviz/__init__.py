"""lossviz: loss functions and their gradients, verified, for the book *lossviz*.

Every public function is importable from here. Shared conventions (see
:mod:`lossviz._checks`): inputs are anything ``torch.as_tensor`` accepts;
computation is in float64 unless a floating tensor is given; shapes must match
exactly; bad input raises ``ValueError`` naming the argument.
"""

from .angular_margin import *  # noqa: F401,F403
from .boxes import *  # noqa: F401,F403
from .classification import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .dice import *  # noqa: F401,F403
from .focal import *  # noqa: F401,F403
from .ghm import *  # noqa: F401,F403
from .gradients import grad  # noqa: F401
from .margin import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .perceptual import *  # noqa: F401,F403
from .plotting import COLOURS, LOSS_COLOURS, shade, use_book_style  # noqa: F401
from .regression import *  # noqa: F401,F403
from .sliders import Slider, slider_figure  # noqa: F401

__version__ = "0.1.0"
