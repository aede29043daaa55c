"""The agent: policy model, SDPO learner, episode loop, and the run/bench/chat command lines."""
