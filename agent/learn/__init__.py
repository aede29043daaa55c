"""Learning: LoRA and its undo history, the SDPO learner and its blend, losses, scoring, teacher contexts."""
