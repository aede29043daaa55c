"""The serve command's parts that need no model: request checks, stop sequences, the names of weights, served
answers and follow-up detection, the learner episode of a conversation, adapter names, the loopback rule."""

from __future__ import annotations

import pytest

from agent.cli.serve import is_loopback
from agent.protocols import WeightsChanged
from agent.serve.learning import ServedAnswer, ServedAnswers, episode_for, follow_up
from agent.serve.served import StopScanner, WeightNames, cut_at_stop, ids_for_text
from agent.serve.session import ServeSession
from agent.serve.wire import ApiError, Limits, parse_chat_request, parse_feedback

USER = [{"role": "user", "content": "hi"}]


def refusal(body, limits=Limits()) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse_chat_request(body, limits)
    return caught.value


def test_a_request_with_defaults_and_labels():
    request = parse_chat_request({"model": "m", "messages": USER, "user": "u1", "frequency_penalty": 0,
                                  "max_completion_tokens": 9, "stop": "END", "logprobs": False}, Limits())
    assert (request.n, request.max_tokens, request.stop, request.temperature) == (1, 9, ["END"], 1.0)


def test_content_parts_and_developer_role():
    request = parse_chat_request({"model": "m", "messages": [
        {"role": "developer", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}, Limits())
    assert request.messages == [{"role": "system", "content": "be brief"}, {"role": "user", "content": "ab"}]


@pytest.mark.parametrize("body, param", [
    ({"model": "m", "messages": USER, "n": True}, "n"),
    ({"model": "m", "messages": USER, "top_p": 0}, "top_p"),
    ({"model": "m", "messages": USER, "seed": -1}, "seed"),
    ({"model": "m", "messages": USER, "stream": "yes"}, "stream"),
    ({"model": "m", "messages": USER, "stop": ["a"] * 5}, "stop"),
    ({"model": "m", "messages": USER, "tools": [{"type": "function"}]}, "tools"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]}, "messages[0].content"),
    ({"model": "m", "messages": USER + [{"role": "assistant", "content": "x"}]}, "messages"),
    ({"model": "", "messages": USER}, "model"),
])
def test_each_bad_field_is_named(body, param):
    error = refusal(body)
    assert error.status == 400 and error.param == param and error.body()["error"]["message"]


def test_limits_come_from_the_server():
    assert "1 to 4" in refusal({"model": "m", "messages": USER, "max_tokens": 5}, Limits(max_tokens=4)).message
    assert "drop the oldest" in refusal({"model": "m", "messages": USER * 3}, Limits(max_messages=2)).message


def test_feedback_requests():
    request = parse_feedback({"completion_id": "c", "tests": [{"input": "1", "output": "2", "type": "functional"}],
                              "function": "double"})
    assert request.tests == [{"input": "1", "output": "2", "testtype": "functional"}]
    with pytest.raises(ApiError, match="mix"):
        parse_feedback({"completion_id": "c", "tests": [{"input": "1", "output": "2"},
                                                        {"input": "1", "output": "2", "testtype": "functional"}],
                        "function": "f"})
    with pytest.raises(ApiError, match="non-empty"):
        parse_feedback({"completion_id": "c", "text": "  "})


def test_stop_scanner_holds_back_a_possible_stop_and_cuts_at_it():
    scanner = StopScanner(["END"])
    sent = [scanner.feed(piece) for piece in ["ab", "cE", "N", "Dxyz"]]
    assert "".join(sent) == "abc" and scanner.found.is_set() and scanner.text == "abc"
    scanner = StopScanner(["END"])
    sent = [scanner.feed(piece) for piece in ["ab", "cE", "Nd"]] + [scanner.flush()]
    assert "".join(sent) == "abcENd" and not scanner.found.is_set()
    assert cut_at_stop("a;b.c", [".", ";"]) == ("a", True)


def test_ids_for_text_keeps_the_tokens_behind_the_text_shown():
    vocabulary = {1: "def", 2: " f", 3: "():", 4: "\n", 5: "END", 6: "x"}
    decode = lambda ids: "".join(vocabulary[i] for i in ids)  # noqa: E731
    assert ids_for_text(decode, [1, 2, 3, 4, 5, 6], "def f():\n") == [1, 2, 3, 4]
    assert ids_for_text(decode, [1, 2, 3], "de") == []


def test_weight_names_return_on_undo_and_are_never_given_twice():
    names = WeightNames()
    names.follow(WeightsChanged(1, "update"), undo_depth=1)
    names.follow(WeightsChanged(2, "update"), undo_depth=2)
    assert names.current == 2
    names.follow(WeightsChanged(3, "undo"), undo_depth=1)
    assert names.current == 1
    names.follow(WeightsChanged(4, "update"), undo_depth=2)
    assert names.current == 3  # new weights, a new name; 2 is never reused
    names.follow(WeightsChanged(0, "reset"), undo_depth=0)
    assert names.current == 0 and names.last == 3
    resumed = WeightNames(current=3, last=5)
    resumed.follow(WeightsChanged(1, "update"), undo_depth=1)
    assert resumed.current == 6


def answer(messages, text, ids=(1, 2), completion_id="c1", choice=0) -> ServedAnswer:
    return ServedAnswer(completion_id, choice, messages, text, list(ids), weights=0, temperature=0.7)


def test_follow_ups_match_exactly_and_the_store_is_bounded():
    answers = ServedAnswers(capacity=2)
    first = answer(USER, "hello")
    answers.add(first)
    conversation = USER + [{"role": "assistant", "content": "hello"}, {"role": "user", "content": "shorter"}]
    assert follow_up(conversation, answers) == (first, "shorter")
    edited = USER + [{"role": "assistant", "content": "hello!"}, {"role": "user", "content": "shorter"}]
    assert follow_up(edited, answers) is None  # an answer the client changed is not ours
    other_system = [{"role": "system", "content": "s"}] + conversation
    assert follow_up(other_system, answers) is None
    answers.add(answer(USER, "b", completion_id="c2"))
    answers.add(answer(USER, "c", completion_id="c3"))
    assert len(answers) == 2 and answers.by_id("c1") is None and answers.by_id("c3").text == "c"


def test_the_episode_of_a_conversation_keeps_its_earlier_turns():
    messages = [{"role": "system", "content": "sys"}, {"role": "user", "content": "q1"},
                {"role": "assistant", "content": "a1"}, {"role": "user", "content": "q2"}]
    episode = episode_for(answer(messages, "a2", ids=(5, 6)), feedback="wrong")
    assert (episode.system, episode.prompt, episode.feedback) == ("sys", "q2", "wrong")
    assert episode.history == messages[1:3] and episode.response_ids == [5, 6] and episode.temperature == 0.7
    from agent.learn.teacher import chat_messages

    assert chat_messages(episode.prompt, episode.system, episode.history) == messages


def test_adapter_names_stay_inside_the_session(tmp_path):
    session = ServeSession.create(tmp_path, "m", {})
    assert session.saved_adapter("good-1.v2").parent == (session.dir / "adapters").resolve()
    for name in ("..", "../x", "a/b", "/abs", ".x", "x" * 65, "a\\b", "a\x00"):
        with pytest.raises(ValueError, match="not allowed"):
            session.saved_adapter(name)


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("127.0.0.2", True), ("0.0.0.0", False), ("192.168.1.4", False),
                                            ("example.com", False), ("::", False)])
def test_loopback_hosts(host, loopback):
    assert is_loopback(host) is loopback
