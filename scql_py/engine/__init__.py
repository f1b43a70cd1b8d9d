"""One party's executor, and the federation of the three in-process engines."""
