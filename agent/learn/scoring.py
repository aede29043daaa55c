"""Scoring a response in pieces: the decoder body once per sequence, the vocabulary head chunk by chunk.

The SDPO update needs the student's and the teacher's logits at every response position. Holding them whole
costs T x V floats per sequence (and several copies inside the divergence and its backward), which for a long
attempt and a 150k vocabulary dwarfs the model itself. So the body's final hidden states at the response
positions are kept (T x H, small) and the head is applied to a chunk of positions at a time.

Two things have to hold for that to be the model's own scoring, and ChunkedScorer checks or provides both:
- body followed by head reproduces the model's logits (check_head, once per scorer: some architectures
  post-process logits, e.g. Gemma's final soft-capping, which `logits` applies);
- the student's backward through the body stays affordable: `recomputed_activations` switches gradient
  checkpointing on for the duration of a student pass only.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any, Iterator


def chunks(length: int, size: int) -> list[slice]:
    """Consecutive slices of at most `size` positions covering range(length)."""
    return [slice(start, min(start + size, length)) for start in range(0, length, size)]


class ChunkedScorer:
    """Body, head and activation recomputation of a policy's peft-wrapped model.

    `policy` needs .model (a peft PeftModel) and .device.
    """

    def __init__(self, policy: Any, recompute_activations: bool = True) -> None:
        self.policy = policy
        self.recompute = recompute_activations
        self._checked_head = False

    @property
    def base(self) -> Any:
        return self.policy.model.get_base_model()

    @property
    def head(self) -> Any:
        return self.base.get_output_embeddings()

    def response_hidden(self, ids: list[int], response_length: int) -> Any:
        """Final hidden states at the positions that predict the response tokens, shape [T, H].

        Position i predicts token i + 1, so the response's T tokens are predicted by the T positions before
        the last one. Only the body runs here; the vocabulary projection happens per chunk in `logits`.
        """
        import torch

        input_ids = torch.tensor([ids], device=self.policy.device)
        hidden = self.base.get_decoder()(input_ids=input_ids, use_cache=False).last_hidden_state
        start = len(ids) - response_length - 1
        return hidden[0, start:start + response_length]

    def logits(self, hidden: Any) -> Any:
        """The head's logits for some hidden states, with the final soft-capping some architectures apply."""
        import torch

        logits = self.head(hidden)
        cap = getattr(self.base.config, "final_logit_softcapping", None)
        if cap:
            logits = torch.tanh(logits / cap) * cap
        return logits

    def adapter_off_for_head(self) -> Any:
        """disable_adapter() when the head carries LoRA weights, else nothing: entering it walks every module
        (about 50 ms on the embedded model), too slow to repeat for each chunk when it would change nothing."""
        from peft.tuners.tuners_utils import BaseTunerLayer

        if isinstance(self.head, BaseTunerLayer):
            return self.policy.model.disable_adapter()
        return contextlib.nullcontext()

    def check_head(self) -> None:
        """Once: body + head must reproduce the model's own logits, or the chunked scoring would be wrong."""
        import torch

        if self._checked_head:
            return
        ids = torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]], device=self.policy.device)
        with torch.no_grad():
            expected = self.policy.model(input_ids=ids, use_cache=False).logits[0].float()
            got = self.logits(self.base.get_decoder()(input_ids=ids, use_cache=False).last_hidden_state[0])
        # The tolerance admits bf16 rounding but not a missing soft-cap or scale, which moves large logits a lot.
        if (expected - got.float()).abs().max() > 1e-3 + 1e-2 * expected.abs().max():
            raise RuntimeError(
                f"{type(self.base).__name__}: the decoder body followed by the output head does not reproduce "
                "the model's logits (it post-processes them in a way agent.learn.scoring does not know); add that "
                "step to ChunkedScorer.logits"
            )
        self._checked_head = True

    @contextlib.contextmanager
    def recomputed_activations(self) -> Iterator[None]:
        """Gradient checkpointing for a student pass, switched on only for its duration.

        Memory: with grad, the body stores every layer's activations for the whole prompt + response (about
        2 GB for a 1,300-token pass on the embedded model, far more than generation ever holds). Checkpointed,
        each decoder layer keeps only its input and recomputes the rest during the backward pass.
        This sets transformers' per-module flags by hand instead of calling gradient_checkpointing_enable():
        checkpointing runs only in train mode, and model.train() would also switch on dropout, so only the
        flagged modules' own `training` attribute is set (their children, dropout included, stay in eval).
        """
        import torch.utils.checkpoint

        modules = [m for m in self.base.get_decoder().modules() if hasattr(m, "gradient_checkpointing")]
        if not self.recompute or not modules:
            yield
            return
        saved = [(m, m.gradient_checkpointing, m.training, m.__dict__.get("_gradient_checkpointing_func"))
                 for m in modules]
        recompute = functools.partial(torch.utils.checkpoint.checkpoint, use_reentrant=False)
        try:
            for module in modules:
                module.gradient_checkpointing = True
                module._gradient_checkpointing_func = recompute
                module.training = True
            yield
        finally:
            for module, enabled, training, func in saved:
                module.gradient_checkpointing = enabled
                module.training = training
                if func is None:
                    module.__dict__.pop("_gradient_checkpointing_func", None)
                else:
                    module._gradient_checkpointing_func = func
