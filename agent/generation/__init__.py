"""Generation engines: the Hugging Face policy, model loading, remote models, CPU threads."""
