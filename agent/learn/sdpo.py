"""The SDPO update: distill what the model would write, had it seen the feedback, into its LoRA adapter.

For each episode the student (base + adapter) scores its own attempt given the plain problem prompt; the
teacher (the same model, no gradient) scores the same tokens given the prompt plus the feedback and/or a
demonstration (agent/learn/teacher.py builds both id sequences). The loss is the per-token top-k divergence of
agent/learn/losses.py, averaged over every response token of the batch; one AdamW step follows (or several, with
importance ratios). Each update first pushes an adapter snapshot, so it can be undone exactly.

Memory: the update never holds full-vocabulary logits for a whole response. The body runs once per
sequence, the teacher keeps only its final hidden states at the response positions, and the head, the loss
and its backward run over chunks of positions (_student_pass, with agent/learn/scoring.py). The student body is
gradient-checkpointed (ChunkedScorer.recomputed_activations), so a long attempt costs about one more forward
instead of every layer's activations. On CUDA the model may run in bf16; the divergence is always computed in float32.

The blend (learner 'sdpo-grpo', distillation_weight w < 1): loss = w * distillation + (1 - w) * a GRPO-style
policy-gradient term, -A_i * min(ratio_t, ratio_cap) per token, both averaged over every response token of the
batch. A_i is the episode's reward (the fraction of visible tests passed) minus the batch mean, over the batch's
standard deviation. An attempt with nothing for the teacher (a success without a sibling) still enters through
its advantage. A batch whose rewards are all equal, every batch of one attempt among them, has no group signal:
every advantage is 0 and the update is the distillation term scaled by w, which Adam's step and the gradient
clip make the same step as SDPO's; the blend needs B >= 2 to differ from SDPO.

Where this departs from the paper (arXiv 2601.20802):
- LoRA instead of full fine-tuning, so the frozen teacher is simply the base model with the adapter switched
  off: no second copy of the weights.
- Learning rate 1e-4 instead of 1e-6. The paper's rate is for full fine-tuning of an 8B model; a LoRA adapter
  starts at zero and its change B·A is low-rank, so a single step at 1e-6 barely moves the output. Adam's
  first step moves each adapter weight by about the learning rate, and 1e-4 is the usual LoRA range.
- The trust-region teacher interpolates logits between the base teacher and the current-adapter teacher,
  both evaluated once at the start of an update (the paper's teacher also moves within a step).
- No EMA teacher: an EMA of A and B separately is not an EMA of the weight change B·A.
- The per-token divergence is capped (scaled, not zeroed) at token_clip before averaging.
- Dropout is off during the update, so the divergence measured before and after a step compares the same
  function and a step is reproducible.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

from agent.generation.cpu import fit_threads, workload
from agent.learn.losses import (
    clip_per_token, group_advantages, importance_ratio, policy_gradient, reverse_kl, token_logprobs, topk_divergence,
)
from agent.protocols import LearnerEpisode, TrainableModel
from agent.learn.scoring import ChunkedScorer, chunks
from agent.learn.settings import TEACHER_MODES, SDPOConfig, SDPOStats  # SDPOConfig, SDPOStats: re-exported
from agent.learn.teacher import EpisodeSequences, NoSignal, build_sequences


@dataclass
class _Scored:
    """One episode with signal, ready for the student pass."""

    index: int
    sequences: EpisodeSequences
    response: Any  # LongTensor [T] of the attempt's ids
    base_hidden: Any  # teacher's final hidden states at the response positions, adapter off [T, H]
    current_hidden: Any | None  # the same with the adapter on (trust-region only)
    behaviour_logprobs: Any | None = None  # student log p(y_t) at the first step (steps_per_update > 1)
    distill: bool = True  # False: no teacher context (blend only; the episode carries only its advantage)
    advantage: float = 0.0
    engine_logprobs: Any | None = None  # the generation engine's log p_T(y_t) as sampled [T], where it reported them
    temperature: float = 1.0


class _PassTotals(NamedTuple):
    """One episode's share of an update step."""

    loss: float
    kl: float
    """Summed reverse KL to the teacher (first step only)."""
    pg: float
    """Its share of the unweighted policy-gradient term."""
    mismatch: float
    """Summed |engine - learner| log-probability of the sampled tokens (first step, with engine log-probs)."""


class SDPOLearner:
    """Runs SDPO updates on a TrainableModel's LoRA adapter (agent/protocols.py); satisfies Learner.

    Registered as the learner 'sdpo' (agent/registry.py). After each update that took a step it announces the
    new weights through the adapter history (WeightsChanged, reason 'update').
    """

    defaults: dict = {}
    """SDPOConfig fields this learner sets differently from SDPOConfig's own defaults."""

    @classmethod
    def settings(cls, table: dict | None = None) -> SDPOConfig:
        """The learner's settings from a config's [sdpo] table (validated), its own defaults under it."""
        from agent.config import build_settings

        return build_settings(SDPOConfig, {**cls.defaults, **(table or {})}, "sdpo")

    def __init__(self, policy: TrainableModel, config: SDPOConfig | None = None) -> None:
        if getattr(policy, "history", None) is None:
            raise ValueError(
                "SDPOLearner needs a policy with a LoRA adapter and its history: create HFPolicy with "
                "lora=LoraSettings() (the default)"
            )
        self.policy = policy
        self.config = config or SDPOConfig()
        self._optimizer: Any = None
        self._optimizer_params: list[int] = []
        self.scorer = ChunkedScorer(policy, recompute_activations=self.config.recompute_activations)

    # ----- the update -----

    def update(self, episodes: Sequence[LearnerEpisode]) -> SDPOStats:
        """One SDPO update on a batch; episodes without signal are listed in the stats, never raised."""
        with workload():  # a generation beside it (the server's) shares the free cores (agent/generation/cpu.py)
            return self._update(episodes)

    def _update(self, episodes: Sequence[LearnerEpisode]) -> SDPOStats:
        started = time.perf_counter()
        on_cpu = self.policy.device.type == "cpu"
        if on_cpu:
            fit_threads()  # as many threads as other processes leave cores free (agent/generation/cpu.py)
        stats = SDPOStats()
        scored = self._prepare(episodes, stats)
        if not scored:
            stats.skipped = True
            stats.reasons.setdefault(-1, "no episode carried signal")
            stats.seconds = time.perf_counter() - started
            return stats

        model = self.policy.model
        was_training = model.training
        model.eval()
        params = self._trainable_parameters()
        optimizer = self._optimizer_for(params)
        try:
            total_tokens = sum(item.sequences.response_length for item in scored)
            distilled_tokens = sum(item.sequences.response_length for item in scored if item.distill)
            stats.tokens = total_tokens
            kl_sum = 0.0
            steps_taken = 0
            for step in range(self.config.steps_per_update):
                loss, pg_loss, mismatch = 0.0, 0.0, 0.0
                for item in scored:
                    if on_cpu:
                        fit_threads()  # re-fit: a generation beside this update may have started or ended
                    with self.scorer.recomputed_activations():
                        totals = self._student_pass(item, step, total_tokens)
                    loss += totals.loss
                    kl_sum += totals.kl
                    pg_loss += totals.pg
                    mismatch += totals.mismatch
                if step == 0 and self.config.blends:
                    stats.pg_loss = pg_loss
                engine_tokens = sum(item.sequences.response_length for item in scored if item.engine_logprobs is not None)
                if step == 0 and engine_tokens:
                    stats.sampler_mismatch = mismatch / engine_tokens
                grad_norm = self._grad_norm(params)
                stats.step_losses.append(loss)
                stats.step_grad_norms.append(grad_norm)
                if not (math.isfinite(loss) and math.isfinite(grad_norm)):
                    optimizer.zero_grad(set_to_none=True)
                    stats.reasons[-1] = f"non-finite loss {loss} or gradient norm {grad_norm}: step {step} not taken"
                    break
                if step == 0:
                    self.policy.history.snapshot()  # before the weights first change, so undo is exact
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                steps_taken += 1
            if steps_taken:
                stats.version = self.policy.history.changed("update")  # once per update, after its last step
            stats.loss = stats.step_losses[0]
            stats.grad_norm = stats.step_grad_norms[0]
            stats.kl_before = kl_sum / distilled_tokens if distilled_tokens else 0.0
            if not steps_taken:
                stats.skipped = True  # the first step was refused: the weights are untouched
            if self.config.measure_after and not stats.skipped and distilled_tokens:
                stats.kl_after = self._measure_kl(scored) / distilled_tokens
        finally:
            optimizer.zero_grad(set_to_none=True)
            model.train(was_training)
        stats.seconds = time.perf_counter() - started
        return stats

    def _prepare(self, episodes: Sequence[LearnerEpisode], stats: SDPOStats) -> list[_Scored]:
        """Build both sequences per episode and run the teacher (no gradient) on those with signal."""
        import torch

        policy = self.policy
        vocab = self.scorer.base.get_input_embeddings().num_embeddings
        advantages = [0.0] * len(episodes)
        if self.config.blends:
            advantages = group_advantages([episode.reward for episode in episodes])
            stats.advantages = advantages
        scored = []
        for index, episode in enumerate(episodes):
            distill = True
            try:
                if any(not 0 <= int(i) < vocab for i in episode.response_ids):
                    raise NoSignal(f"the attempt holds token ids outside the vocabulary of {vocab}")
                try:
                    sequences = build_sequences(
                        policy.chat_ids, policy.tokenizer,
                        prompt=episode.prompt, response_ids=episode.response_ids, feedback=episode.feedback,
                        demonstration=episode.demonstration, system=episode.system, history=episode.history,
                        context_window=policy.context_window,
                        max_teacher_prompt_tokens=self.config.max_teacher_prompt_tokens,
                    )
                except NoSignal:
                    if not advantages[index]:
                        raise
                    # The blend: an attempt with nothing for the teacher (a success without a sibling to
                    # learn from) still carries its advantage into the policy-gradient term.
                    sequences, distill = self._student_only(episode), False
            except NoSignal as why:
                stats.no_signal.append(index)
                stats.reasons[index] = str(why)
                stats.teacher_prompt_tokens.append(0)
                stats.truncated.append(False)
                continue
            stats.teacher_prompt_tokens.append(sequences.teacher_prompt_tokens if distill else 0)
            stats.truncated.append(sequences.truncated)
            item = _Scored(index, sequences, torch.tensor(episode.response_ids, device=policy.device), None, None,
                           distill=distill, advantage=advantages[index], temperature=episode.temperature)
            if episode.behaviour_logprobs is not None and episode.temperature > 0:
                if len(episode.behaviour_logprobs) != len(episode.response_ids):
                    raise ValueError(f"episode {index}: the engine's log-probs cover {len(episode.behaviour_logprobs)} "
                                     f"tokens but the attempt has {len(episode.response_ids)}")
                item.engine_logprobs = torch.tensor(episode.behaviour_logprobs, dtype=torch.float32,
                                                    device=policy.device)
            scored.append(item)
        if not any(item.distill for item in scored):
            return scored
        model = policy.model
        was_training = model.training
        model.eval()
        try:
            self.scorer.check_head()
            # Only the final hidden states at the response positions are kept (T x H per episode, small); the
            # teacher's logits are recomputed from them chunk by chunk during the student pass.
            with torch.no_grad():
                with model.disable_adapter():
                    for item in (item for item in scored if item.distill):
                        item.base_hidden = self.scorer.response_hidden(item.sequences.teacher_ids,
                                                                 item.sequences.response_length)
                if self.config.teacher == "trust-region":
                    for item in (item for item in scored if item.distill):
                        item.current_hidden = self.scorer.response_hidden(item.sequences.teacher_ids,
                                                                    item.sequences.response_length)
        finally:
            model.train(was_training)
        return scored

    def _student_only(self, episode: LearnerEpisode) -> EpisodeSequences:
        """The student's sequence alone (prompt prefix + the attempt's ids), for a policy-gradient-only episode."""
        from agent.learn.teacher import chat_messages

        response = [int(i) for i in episode.response_ids]
        if not response:
            raise NoSignal("empty attempt: no response ids to score")
        prefix = self.policy.chat_ids(chat_messages(episode.prompt, episode.system, episode.history),
                                       add_generation_prompt=True)
        if len(prefix) + len(response) > self.policy.context_window:
            raise NoSignal(f"the attempt does not fit the context window: {len(prefix)} prompt + {len(response)} "
                           f"response tokens > {self.policy.context_window}")
        ids = list(prefix) + response
        return EpisodeSequences(student_ids=ids, teacher_ids=ids, response_length=len(response), truncated=False)

    def _student_pass(self, item: _Scored, step: int, total_tokens: int) -> _PassTotals:
        """Forward and backward of the student on one episode.

        Importance ratios, capped at ratio_cap: with the engine's log-probs, every step weights each token by
        p_T(y_t) / p_engine(y_t), the learner's probability at the sampling temperature over the engine's (the
        engine and the learner compute the same distribution only approximately); without them, steps after the
        first weight by the current over the first step's probability.
        """
        import torch

        config = self.config
        hidden = self.scorer.response_hidden(item.sequences.student_ids, item.sequences.response_length)
        # Memory: the full-vocabulary logits of a long response (T x V floats, several copies inside the
        # divergence and its backward) would dwarf everything else for a large vocabulary. So the body's output
        # is cut loose here, each chunk of positions goes through the head, the loss and its backward, and
        # only then is the body backpropagated once with the gradient gathered on `leaf`.
        leaf = hidden.detach().requires_grad_(True)
        weighted = step > 0 and config.steps_per_update > 1
        record = step == 0 and config.steps_per_update > 1
        w = config.distillation_weight
        engine = item.engine_logprobs
        behaviour = []
        loss_total, kl_total, pg_total, mismatch = 0.0, 0.0, 0.0, 0.0
        for chunk in chunks(item.sequences.response_length, config.chunk_size):
            student_logits = self.scorer.logits(leaf[chunk])
            per_token = torch.zeros((), device=student_logits.device)
            if record:
                behaviour.append(token_logprobs(student_logits.detach(), item.response[chunk]))
            if engine is not None:
                at_temperature = token_logprobs(student_logits.detach() / item.temperature, item.response[chunk])
                if step == 0:
                    mismatch += (at_temperature - engine[chunk]).abs().sum().item()
            if item.distill:
                teacher_logits = self._teacher_logits(item, chunk)
                divergence = topk_divergence(student_logits, teacher_logits, config.k, config.alpha, config.add_tail)
                divergence = clip_per_token(divergence, config.token_clip)
                if engine is not None:
                    divergence = divergence * importance_ratio(at_temperature, engine[chunk], config.ratio_cap)
                elif weighted:
                    current = token_logprobs(student_logits.detach(), item.response[chunk])
                    divergence = divergence * importance_ratio(current, item.behaviour_logprobs[chunk],
                                                               config.ratio_cap)
                if step == 0:
                    kl_total += reverse_kl(student_logits, teacher_logits).sum().item()
                per_token = w * divergence if config.blends else divergence
            if item.advantage:
                if engine is not None:
                    logprobs = token_logprobs(student_logits / item.temperature, item.response[chunk])
                    reference = engine[chunk]
                else:
                    logprobs = token_logprobs(student_logits, item.response[chunk])
                    reference = item.behaviour_logprobs[chunk] if weighted else logprobs.detach()
                pg = policy_gradient(logprobs, reference, item.advantage, config.ratio_cap)
                pg_total += pg.sum().item() / total_tokens
                per_token = per_token + (1.0 - w) * pg
            loss = per_token.sum() / total_tokens
            loss.backward()
            loss_total += loss.item()
        hidden.backward(leaf.grad)
        if record:
            item.behaviour_logprobs = torch.cat(behaviour)
        return _PassTotals(loss_total, kl_total, pg_total, mismatch)

    def _measure_kl(self, scored: list[_Scored]) -> float:
        """Summed full-vocabulary reverse KL of the student to the teacher over all response tokens."""
        import torch

        total = 0.0
        with torch.no_grad():
            for item in (item for item in scored if item.distill):
                hidden = self.scorer.response_hidden(item.sequences.student_ids, item.sequences.response_length)
                for chunk in chunks(item.sequences.response_length, self.config.chunk_size):
                    logits = self.scorer.logits(hidden[chunk])
                    total += reverse_kl(logits, self._teacher_logits(item, chunk)).sum().item()
        return total

    # ----- teacher logits -----

    def _teacher_logits(self, item: _Scored, chunk: slice) -> Any:
        import torch

        mode = self.config.teacher
        with torch.no_grad():
            with self.scorer.adapter_off_for_head():
                base = self.scorer.logits(item.base_hidden[chunk])
            if mode == "base":
                return base
            elif mode == "trust-region":
                current = self.scorer.logits(item.current_hidden[chunk])
                return torch.lerp(base.float(), current.float(), self.config.trust_region_rate)
            else:
                raise ValueError(f"teacher={mode!r} is not one of {TEACHER_MODES}")

    # ----- optimizer -----

    def _trainable_parameters(self) -> list[Any]:
        params = [p for p in self.policy.model.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("the policy has no trainable parameters: load it with a LoRA adapter")
        return params

    def _optimizer_for(self, params: list[Any]) -> Any:
        """The persistent AdamW, rebuilt only if the adapter's parameter tensors were replaced."""
        import torch

        identity = [id(p) for p in params]
        if self._optimizer is None or identity != self._optimizer_params:
            self._optimizer = torch.optim.AdamW(params, lr=self.config.lr, weight_decay=self.config.weight_decay)
            self._optimizer_params = identity
        return self._optimizer

    def _grad_norm(self, params: list[Any]) -> float:
        import torch

        limit = self.config.grad_clip if self.config.grad_clip is not None else float("inf")
        return float(torch.nn.utils.clip_grad_norm_(params, limit))

    # ----- adapter history -----

    def undo(self) -> bool:
        """Restore the adapter from before the last update; False when there is nothing to undo.

        The optimizer's moments are dropped too: they hold the undone step's direction and would push the
        next step back toward it.
        """
        undone = bool(self.policy.history.undo())
        if undone:
            self._optimizer = None
        return undone

    def reset(self) -> None:
        """Back to the base model's adapter state, with a fresh optimizer."""
        self.policy.history.reset()
        self._optimizer = None

    def save(self, path: str) -> None:
        self.policy.history.save(path)

    def load(self, path: str) -> None:
        """Load an adapter saved by save(); the optimizer starts fresh."""
        self.policy.history.load(path)
        self._optimizer = None



class BlendLearner(SDPOLearner):
    """SDPO blended with a GRPO-style policy-gradient term: the learner 'sdpo-grpo' (see the module docstring).

    The same update with distillation_weight 0.9 by default, the paper's recommendation for weak models.
    """

    defaults = {"distillation_weight": 0.9}
