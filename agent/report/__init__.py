"""What comes out: discovery@K, held-out evaluation, tables, plots, live progress."""
