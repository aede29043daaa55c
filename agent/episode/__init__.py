"""An episode and a session: prompts, grading, methods, the loop, run directories."""
