"""A remote chat model as a Policy, through litellm: any hosted provider, or a local OpenAI-compatible server
(vLLM, Ollama, llama.cpp) reached with `api_base`.

It serves the methods that do not learn (best-of-k, multi-turn), so the learning agent can be compared with
a larger model on the same problems. A remote model returns text, not the token ids it sampled, so every
Generation it makes has `ids == []` and `prompt_ids == []`; the SDPO learner needs the exact sampled ids
(it never re-tokenizes text), hence `supports_learning = False` and `check_learnable` for the loop to call.

Network: litellm is imported with its offline switches set, so it does not fetch its model price list or
anything else on its own; the only traffic is the completion requests to `api_base` (or, when none is given,
to the provider that the model name selects).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Any, Iterator

from agent.protocols import Generation, SamplingConfig


LOCAL_SERVER_KEY = "none"
"""The key sent to an OpenAI-compatible `api_base` when no key is given or set in OPENAI_API_KEY."""


class RemoteModelError(RuntimeError):
    """A remote model call failed for a reason the user can fix (server down, key, model name)."""


def _litellm() -> Any:
    # Both switches must be set before the first import: litellm fetches a price list while importing.
    os.environ["LITELLM_OFFLINE_MODE"] = "true"
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm

    litellm.telemetry = False  # read by older litellm releases; harmless where it no longer exists
    litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banners on every error
    litellm.success_callback = []
    litellm.failure_callback = []
    return litellm


def check_learnable(policy: object, method: str = "sdpo") -> None:
    """Raise ValueError when `policy` cannot feed a learner (no token ids); the loop calls this first."""
    if not getattr(policy, "supports_learning", False):
        name = getattr(policy, "model", type(policy).__name__)
        raise ValueError(
            f"method {method!r} learns from the sampled token ids, which the remote model {name!r} does not "
            "return: use the local model for learning methods, or pick best-of-k or multi-turn for a remote model"
        )


class RemotePolicy:
    """Policy over litellm for non-learning methods. `model` is a litellm name such as 'openai/gpt-4o-mini',
    'anthropic/claude-3-5-haiku-latest', 'ollama/qwen2.5-coder', or 'openai/NAME' with `api_base` for any
    OpenAI-compatible server."""

    supports_learning = False

    def __init__(
        self, model: str, *, api_base: str | None = None, api_key: str | None = None, timeout: float = 120,
    ) -> None:
        if not model:
            raise ValueError("RemotePolicy needs a model name: pass one such as 'openai/gpt-4o-mini'")
        if timeout <= 0:
            raise ValueError(f"RemotePolicy timeout={timeout} must be positive seconds, e.g. 120")
        self.model = model
        self.api_base = api_base
        if api_key is None and api_base is not None and model.startswith("openai/") and not os.environ.get(
                "OPENAI_API_KEY"):
            # Local OpenAI-compatible servers (vLLM, Ollama, llama.cpp) ignore the key, but the client refuses
            # to send a request without one.
            api_key = LOCAL_SERVER_KEY
        self.api_key = api_key
        self.timeout = timeout

    def _request(
        self, messages: list[dict], sampling: SamplingConfig, *, seed_offset: int = 0, **extra: Any,
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model, "messages": messages, "temperature": sampling.temperature,
            "top_p": sampling.top_p, "max_tokens": sampling.max_new_tokens, "timeout": self.timeout,
            # Fail fast and let the caller decide on retries; a dead local server should not stall a bench.
            "num_retries": 0, "max_retries": 0,
            # Providers without `n` or `seed` get them dropped instead of failing; missing answers are
            # made up by further calls in generate().
            "drop_params": True, **extra,
        }
        if sampling.seed is not None:
            # A follow-up call for answers the provider did not return must not repeat the first call's draws.
            request["seed"] = sampling.seed + seed_offset
        if self.api_base is not None:
            request["api_base"] = self.api_base
        if self.api_key is not None:
            request["api_key"] = self.api_key
        return request

    def generate(self, messages: list[dict], n: int, sampling: SamplingConfig) -> list[Generation]:
        """n answers to `messages`, asked for in one request where the provider allows. ids stay empty."""
        if n < 1:
            raise ValueError(f"generate got n={n}: ask for at least one answer")
        litellm = _litellm()
        out: list[Generation] = []
        while len(out) < n:
            start = time.perf_counter()
            with _mapped_errors(self.model, self.api_base):
                response = litellm.completion(**self._request(messages, sampling, seed_offset=len(out), n=n - len(out)))
            seconds = time.perf_counter() - start
            choices = response.choices[: n - len(out)]
            if not choices:
                raise RemoteModelError(f"{self.model} returned no answer: check the server's logs at {self.api_base}")
            for choice in choices:
                out.append(Generation(
                    text=choice.message.content or "", ids=[], prompt_ids=[], seconds=seconds / len(choices),
                    finish_reason="length" if choice.finish_reason == "length" else "stop",
                ))
        return out

    def stream(self, messages: list[dict], sampling: SamplingConfig) -> Iterator[str]:
        """Yield the answer's text pieces as the server sends them."""
        litellm = _litellm()
        with _mapped_errors(self.model, self.api_base):
            chunks = litellm.completion(**self._request(messages, sampling, stream=True))
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content


@contextmanager
def _mapped_errors(model: str, api_base: str | None) -> Iterator[None]:
    """Turn litellm's exceptions into one RemoteModelError whose message ends with the fix."""
    try:
        yield
    except Exception as error:
        message = _explain(error, model, api_base or "the provider's default endpoint")
        if message is None:
            raise
        raise RemoteModelError(message) from error


def _explain(error: Exception, model: str, where: str) -> str | None:
    """The message for a failure the user can act on, or None to let the error pass unchanged."""
    from litellm import exceptions as e

    detail = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
    # litellm re-wraps transport failures (a refused connection arrives as InternalServerError), so the
    # kind is read from the whole chain of causes, and the detail from its innermost link.
    chain = _causes(error)
    if any(isinstance(x, (e.Timeout, TimeoutError)) or "Timeout" in type(x).__name__ for x in chain):
        return (f"{model} at {where} did not answer in time ({detail}): check the server is "
                "healthy, or raise the timeout")
    if any(isinstance(x, (e.APIConnectionError, ConnectionError)) or type(x).__name__ == "ConnectError"
           for x in chain):
        return (f"cannot reach {model} at {where} ({chain[-1]!r}): start the server, or fix "
                "--api-base (for a local OpenAI-compatible server it usually ends in /v1)")
    if isinstance(error, (e.AuthenticationError, e.PermissionDeniedError)) or "credentials" in str(error):
        return (f"{where} rejected the API key for {model} ({detail}): pass --api-key or set the "
                "provider's key variable (e.g. OPENAI_API_KEY)")
    if isinstance(error, e.NotFoundError):
        return (f"{where} does not serve model {model!r} ({detail}): use the name the server "
                "lists (GET <api-base>/models) after the provider prefix, e.g. openai/NAME")
    if isinstance(error, e.RateLimitError):
        return f"{model} is rate limited ({detail}): wait, or lower the number of parallel requests"
    if isinstance(error, e.ContextWindowExceededError):
        return f"the prompt is too long for {model} ({detail}): lower max_new_tokens or shorten the prompt"
    if isinstance(error, e.BadRequestError) and "provider" in str(error).lower():
        return (f"litellm does not know which provider serves {model!r} ({detail}): prefix the name "
                "with its provider, e.g. openai/gpt-4o-mini, or openai/NAME with --api-base for a local server")
    if isinstance(error, e.APIError) or type(error).__module__.startswith(("litellm", "openai", "httpx")):
        return f"{model} at {where} failed ({detail}): check the server's logs and the model name"
    return None


def _causes(error: BaseException) -> list[BaseException]:
    """The error followed by its causes (explicit or implicit), outermost first."""
    chain = [error]
    while (nxt := chain[-1].__cause__ or chain[-1].__context__) is not None and nxt not in chain:
        chain.append(nxt)
    return chain
