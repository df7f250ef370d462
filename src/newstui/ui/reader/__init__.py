"""The reader screen's parts: each owns its state and workers, takes orders and answers in messages."""
